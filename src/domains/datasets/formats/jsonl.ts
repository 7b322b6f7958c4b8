/**
 * JSON Lines (Hugging Face style, Comprehend augmented manifests): one JSON object per line. Read as a
 * stream, line by line; columns are the union of top-level keys in order of first appearance.
 */
import { AppError, type Problem } from '../../../core/errors.ts';
import { TableProfiler } from '../stats.ts';
import { ProblemCollector } from '../validate.ts';
import { addTabularWarnings } from './delimited.ts';
import { depthExceededAt } from '../../../core/json-depth.ts';
import { ProgressThrottle, TextGuard } from './text-guard.ts';
import type { ImportLimits, ImportResult, JsonlSchema, ProgressFn } from './types.ts';

export interface JsonlInput {
  source: AsyncIterable<Buffer>;
  fileName: string;
  totalBytes: number;
  limits: ImportLimits;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

const FIX = 'Write exactly one JSON object per line, e.g. {"text": "…", "label": "spam"}; strings need double quotes and escaped line breaks (\\n).';

/**
 * Splits a byte stream into lines (without the line break), calling `onLine(buf, start, end, lineNo)`. A line
 * ends at LF, CRLF or a bare CR (classic Mac OS files); raw CR cannot occur inside a JSON string.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The previous chunk ended with CR: an LF opening this one belongs to that break (CRLF split across chunks). */
  private afterCr = false;
  lineNo = 0;

  constructor(private readonly maxLineBytes: number, private readonly onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void, private readonly onTooLong: (lineNo: number) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.afterCr && chunk.length > 0) {
      this.afterCr = false;
      if (chunk[0] === 10) start = 1;
    }
    let lf = chunk.indexOf(10, start);
    let cr = chunk.indexOf(13, start);
    while (lf >= 0 || cr >= 0) {
      const brk = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      this.lineNo++;
      if (this.pending.length > 0) {
        const line = Buffer.concat([...this.pending, chunk.subarray(start, brk)]);
        this.pending = [];
        this.pendingBytes = 0;
        this.emit(line, 0, line.length);
      } else this.emit(chunk, start, brk);
      start = brk + 1;
      if (chunk[brk] === 13) {
        if (start === chunk.length) this.afterCr = true;
        else if (chunk[start] === 10) start++;
      }
      if (lf >= 0 && lf < start) lf = chunk.indexOf(10, start);
      if (cr >= 0 && cr < start) cr = chunk.indexOf(13, start);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) this.onTooLong(this.lineNo + 1);
    }
  }

  end(): void {
    if (this.pending.length === 0) return;
    this.lineNo++;
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.emit(line, 0, line.length);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.onLine(buf, start, end, this.lineNo);
  }
}

/** A JSON value as a table cell: strings as-is, null as empty, numbers/booleans as text, objects/arrays as JSON. */
export function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}

export async function importJsonl(input: JsonlInput): Promise<ImportResult> {
  const { limits, fileName } = input;
  const problems = new ProblemCollector(limits.maxErrors, limits.maxWarnings);
  const guard = new TextGuard(fileName);
  const progress = new ProgressThrottle(input.onProgress, input.totalBytes);
  const profiler = new TableProfiler([]);
  const colIndex = new Map<string, number>();
  let blank = 0;
  let stop = false;
  let tooManyKeys = false;
  const fields = new FieldRules(limits.maxErrors);

  const onLine = (buf: Buffer, start: number, end: number, lineNo: number): void => {
    if (stop) return;
    if (isBlank(buf, start, end)) {
      blank++;
      return;
    }
    const deep = depthExceededAt(buf, start, end, limits.maxJsonDepth);
    if (deep >= 0) throw tooDeep(fileName, lineNo, deep, limits.maxJsonDepth);
    let text = buf.toString('utf8', start, end);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      problems.error({ row: lineNo, problem: `line ${lineNo} is not valid JSON: ${(err as Error).message}`, fix: FIX });
      if (problems.full) stop = true;
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
      problems.error({ row: lineNo, problem: `line ${lineNo} is ${what}, not a JSON object`, fix: FIX });
      if (problems.full) stop = true;
      return;
    }
    fields.check(value as Record<string, unknown>, lineNo);
    profiler.beginRow();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      let col = colIndex.get(key);
      if (col === undefined) {
        if (colIndex.size >= limits.maxColumns) {
          if (!tooManyKeys) problems.warn({ row: lineNo, field: key, problem: `more than ${limits.maxColumns} distinct keys; later keys are ignored`, fix: 'Keep the top-level keys to a fixed set of fields.' });
          tooManyKeys = true;
          continue;
        }
        col = profiler.addColumn(key);
        colIndex.set(key, col);
      }
      if (v !== null && typeof v === 'object') {
        const items = Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.map(String) : undefined;
        profiler.addJson(col, JSON.stringify(v), items);
      } else profiler.add(col, cellOf(v));
    }
  };
  const splitter = new LineSplitter(limits.maxRecordChars, onLine, (lineNo) => {
    problems.error({ row: lineNo, problem: `line ${lineNo} is longer than ${Math.round(limits.maxRecordChars / 1024 / 1024)} MiB`, fix: 'Put one object per line; check that the file uses line breaks between records.' });
    stop = true;
  });

  for await (const chunk of input.source) {
    input.signal?.throwIfAborted();
    await guard.throwIfBad(chunk, () => guard.line);
    splitter.push(chunk);
    guard.advance(chunk);
    if (stop) break;
    await progress.tick(guard.bytes, `${profiler.rows} rows read`);
  }
  if (!stop) {
    guard.finish(guard.line);
    splitter.end();
  }
  problems.throwIfErrors('JSONL_MALFORMED', `${fileName} is not valid JSON Lines`);
  fields.throwIfAny(fileName);
  if (profiler.rows === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName} has no JSON objects.`, { problems: [{ problem: 'no data rows', fix: FIX }] });
  }
  if (blank > 0) problems.warn({ problem: `${blank} blank line${blank === 1 ? ' was' : 's were'} skipped`, fix: 'Remove empty lines from the file.' });
  const { stats, columns } = profiler.finish(blank);
  addTabularWarnings(stats.columns, problems);
  const schema: JsonlSchema = { format: 'jsonl', encoding: 'utf-8', columns };
  return { format: 'jsonl', kind: stats.kind, rowCount: stats.rowCount, schema, stats, problems: problems.finalWarnings() };
}

/** Rows [offset, offset+limit) of a ready JSON Lines version, one cell per schema column. */
export async function previewJsonl(source: AsyncIterable<Buffer>, schema: JsonlSchema, offset: number, limit: number): Promise<string[][]> {
  const rows: string[][] = [];
  let index = -1;
  const splitter = new LineSplitter(Number.MAX_SAFE_INTEGER, (buf, start, end, lineNo) => {
    if (rows.length >= limit || isBlank(buf, start, end)) return;
    index++;
    if (index < offset) return;
    let text = buf.toString('utf8', start, end);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const obj = JSON.parse(text) as Record<string, unknown>;
    rows.push(schema.columns.map((c) => cellOf(obj[c.name])));
  }, () => {});
  for await (const chunk of source) {
    splitter.push(chunk);
    if (rows.length >= limit) break;
  }
  if (rows.length < limit) splitter.end();
  return rows;
}

function tooDeep(fileName: string, lineNo: number, at: number, limit: number): AppError {
  const problem = `line ${lineNo} nests arrays/objects more than ${limit} levels deep (level ${limit + 1} opens at character ${at + 1})`;
  return new AppError('JSONL_TOO_DEEP', `${fileName}: ${problem}. Nothing was stored.`, {
    problems: [{ row: lineNo, problem, fix: `Flatten the record to at most ${limit} levels of nesting (e.g. store a deep structure as a JSON string field).` }],
    extra: { maxDepth: limit },
  });
}

/**
 * Hugging Face style rows ({"text", "label"}): once any row has a "text" key, every row needs a string (or number)
 * text: a row without it, or with null, an object, an array or a boolean, would be stored as an empty or JSON cell
 * and silently skipped or mis-trained later. A "label"/"labels" value must be a string, a number, or a list of them.
 */
class FieldRules {
  private readonly problems: Problem[] = [];
  private errors = 0;
  private sawText = false;
  private readonly noText: number[] = [];
  private noTextCount = 0;

  constructor(private readonly max: number) {}

  check(row: Record<string, unknown>, lineNo: number): void {
    if (!Object.hasOwn(row, 'text')) {
      this.noTextCount++;
      if (this.noText.length < this.max) this.noText.push(lineNo);
    } else {
      this.sawText = true;
      const t = row.text;
      if (typeof t !== 'string' && typeof t !== 'number') this.add({ row: lineNo, field: 'text', problem: `line ${lineNo} has "text": ${describeValue(t)}, not a string`, fix: 'Give every row its document as a string, e.g. "text": "…"; remove rows that have no text.' });
    }
    for (const key of ['label', 'labels']) {
      if (!Object.hasOwn(row, key)) continue;
      const v = row[key];
      const ok = typeof v === 'string' || typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'));
      if (!ok) this.add({ row: lineNo, field: key, problem: `line ${lineNo} has "${key}": ${describeValue(v)}; a label must be a string, a number or a list of them`, fix: `Write the label as a string ("${key}": "spam") or a list of strings for multi-label ("${key}": ["spam", "urgent"]).` });
    }
  }

  private add(p: Problem): void {
    this.errors++;
    if (this.problems.length < this.max) this.problems.push({ ...p, severity: 'error' });
  }

  throwIfAny(fileName: string): void {
    if (this.sawText) {
      for (const lineNo of this.noText) this.add({ row: lineNo, field: 'text', problem: `line ${lineNo} has no "text" key while other rows have one`, fix: 'Give every row a "text" string, or remove the rows without one.' });
      this.errors += this.noTextCount - this.noText.length;
    }
    if (this.errors === 0) return;
    const shown = this.problems.slice(0, 3).map((p) => p.problem).join('; ');
    throw new AppError('JSONL_FIELD_INVALID', `${fileName}: ${this.errors} row${this.errors === 1 ? '' : 's'} with a missing or invalid "text" or label (${shown}${this.errors > 3 ? '; …' : ''}). Nothing was stored.`, {
      problems: this.problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)),
    });
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
