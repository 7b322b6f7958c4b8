/**
 * CLI output conventions: `--json` prints one JSON document on stdout; otherwise human tables.
 * Errors print `error CODE: detail` plus each problem's row/field/fix on stderr, and set the exit
 * code: 1 for user errors (4xx), 2 for internal errors.
 */
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../core/errors.ts';
import type { ApiResponse } from './transport.ts';

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export function fromResponse(res: ApiResponse): CliError {
  let body: { code?: string; detail?: string; problems?: Problem[] } = {};
  try {
    body = res.json() ?? {};
  } catch {
    body = { detail: res.body.toString('utf8').slice(0, 500) };
  }
  return new CliError(body.code ?? `HTTP_${res.status}`, body.detail ?? `HTTP ${res.status}`, res.status >= 500 ? 2 : 1, body.problems ?? []);
}

/** Returns the JSON body of a 2xx response or throws a CliError built from the problem document. */
export function expectOk<T>(res: ApiResponse): T {
  if (res.status >= 200 && res.status < 300) return res.json<T>();
  throw fromResponse(res);
}

export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof AppError) {
    const status = ERROR_CODES[err.code as ErrorCode].status;
    return new CliError(err.code, err.message, status >= 500 && err.code !== 'CONFIG_INVALID' ? 2 : 1, err.problems ?? []);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new CliError('FILE_NOT_FOUND', `${e.message}. Check the path.`, 1);
  if (e?.code === 'ECONNREFUSED') return new CliError('SERVER_UNREACHABLE', `${e.message}. Is \`sagebrush serve\` running at that --url?`, 1);
  return new CliError('INTERNAL', e?.stack ?? String(err), 2);
}

export function printError(err: CliError, json: boolean): void {
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: err.code, detail: err.message, problems: err.problems } })}\n`);
    return;
  }
  process.stderr.write(`error ${err.code}: ${err.message}\n`);
  for (const p of err.problems.slice(0, 50)) {
    const where = [p.row !== undefined ? `row ${p.row}` : '', p.field ? `field ${p.field}` : ''].filter(Boolean).join(', ');
    process.stderr.write(`  - ${where ? `${where}: ` : ''}${p.problem} → ${p.fix}\n`);
  }
  if (err.problems.length > 50) process.stderr.write(`  … and ${err.problems.length - 50} more\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned text table. */
export function printTable(headers: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]) => r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of cells) process.stdout.write(`${line(r)}\n`);
}
