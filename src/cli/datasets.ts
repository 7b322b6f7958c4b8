import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Problem } from '../core/errors.ts';
import type { Job } from '../jobs/types.ts';
import { expectOk, printJson, printTable } from './output.ts';
import { deleteAndReport, followJobOrThrow } from './requests.ts';
import { withTransport } from './session.ts';
import type { Transport } from './transport.ts';

interface Dataset {
  id: string;
  name: string;
  description: string;
  kind: string;
  latestVersion: number;
  createdAt: string;
  versions?: DatasetVersion[];
}
interface DatasetVersion {
  id: string;
  version: number;
  format: string;
  fileName: string;
  sizeBytes: number;
  rowCount: number;
  status: string;
  problems: Problem[];
  stats: unknown;
  createdAt: string;
}

const enc = encodeURIComponent;

export async function importDataset(
  t: Transport,
  file: string,
  o: { name?: string; description?: string; format?: string; header?: string },
  quiet: boolean,
): Promise<{ dataset: Dataset; version: DatasetVersion }> {
  const fields = Object.entries({ name: o.name, description: o.description, format: o.format, header: o.header })
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([name, value]) => ({ name, value }));
  const bar = !quiet && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'upload [{bar}] {percentage}% | {value}/{total} bytes', stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  let started = false;
  const res = await t.upload('/api/v1/datasets', file, fields, (sent, total) => {
    if (!bar) return;
    if (!started) {
      bar.start(total, 0);
      started = true;
    }
    bar.update(sent);
  });
  bar?.stop();
  const accepted = expectOk<{ dataset: Dataset; version: DatasetVersion; job: Job }>(res);
  await followJobOrThrow(t, accepted.job.id, quiet, 'import');
  const version = expectOk<DatasetVersion>(await t.request('GET', `/api/v1/datasets/${enc(accepted.dataset.id)}/versions/${accepted.version.version}`));
  return { dataset: accepted.dataset, version };
}

function printProblems(problems: Problem[]): void {
  for (const p of problems) {
    const where = [p.row !== undefined ? `row ${p.row}` : '', p.field ? `field ${p.field}` : ''].filter(Boolean).join(', ');
    process.stdout.write(`  ${p.severity ?? 'error'}: ${where ? `${where}: ` : ''}${p.problem} → ${p.fix}\n`);
  }
}

export function registerDatasetCommands(program: Command): void {
  const ds = program.command('datasets').description('Import, inspect and delete datasets');

  ds.command('import <file>')
    .description('Upload a CSV/TSV/JSONL file or a zip of image folders as a new dataset (or a new version of --name)')
    .option('--name <name>', 'dataset name (default: the file name)')
    .option('--description <text>', 'description')
    .option('--format <format>', 'auto|csv|tsv|jsonl|zip', 'auto')
    .option('--header <mode>', 'auto|true|false: whether the first CSV/TSV row is a header', 'auto')
    .action(async (file: string, o: { name?: string; description?: string; format?: string; header?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const { dataset, version } = await importDataset(t, file, o, g.json === true);
        if (g.json) return printJson({ dataset, version });
        process.stdout.write(`imported ${dataset.name} v${version.version}: ${version.rowCount} rows, format ${version.format}, ${version.sizeBytes} bytes\n`);
        if (version.problems.length) printProblems(version.problems);
      }, 'text'),
    );

  ds.command('list')
    .option('--limit <n>', 'page size', '50')
    .action(async (o: { limit: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const page = expectOk<{ items: Dataset[] }>(await t.request('GET', `/api/v1/datasets?limit=${enc(o.limit)}`));
        if (g.json) return printJson(page);
        printTable(['id', 'name', 'kind', 'latest', 'created'], page.items.map((d) => [d.id, d.name, d.kind, d.latestVersion, d.createdAt]));
      }, 'text'),
    );

  ds.command('show <dataset>')
    .option('--version <n>', 'version number (default: latest)')
    .action(async (name: string, o: { version?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const d = expectOk<Dataset>(await t.request('GET', `/api/v1/datasets/${enc(name)}`));
        const n = o.version ?? String(d.latestVersion);
        const v = expectOk<DatasetVersion>(await t.request('GET', `/api/v1/datasets/${enc(name)}/versions/${enc(n)}`));
        if (g.json) return printJson({ ...d, version: v });
        process.stdout.write(`${d.name} (${d.id}) v${v.version}: ${v.status}, ${v.format}, ${v.rowCount} rows, ${v.sizeBytes} bytes, file ${v.fileName}\n`);
        process.stdout.write(`stats: ${JSON.stringify(v.stats, null, 2)}\n`);
        if (v.problems.length) printProblems(v.problems);
      }, 'text'),
    );

  ds.command('preview <dataset>')
    .option('--version <n>', 'version number (default: latest)')
    .option('--offset <n>', 'first row', '0')
    .option('--limit <n>', 'rows', '20')
    .action(async (name: string, o: { version?: string; offset: string; limit: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const d = expectOk<Dataset>(await t.request('GET', `/api/v1/datasets/${enc(name)}`));
        const n = o.version ?? String(d.latestVersion);
        const p = expectOk<{ columns: string[]; rows: string[][]; total: number }>(
          await t.request('GET', `/api/v1/datasets/${enc(name)}/versions/${enc(n)}/preview?offset=${enc(o.offset)}&limit=${enc(o.limit)}`),
        );
        if (g.json) return printJson(p);
        printTable(p.columns, p.rows.map((r) => r.map((c) => c.replace(/\s+/g, ' '))));
        process.stdout.write(`(${p.rows.length} of ${p.total} rows)\n`);
      }, 'text'),
    );

  ds.command('delete <dataset>').action(async (name: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, (t, g) => deleteAndReport(t, g, `/api/v1/datasets/${enc(name)}`, name)),
  );
}
