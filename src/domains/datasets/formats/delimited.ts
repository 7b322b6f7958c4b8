/**
 * CSV (RFC 4180: quoted fields may hold delimiters, doubled quotes and newlines) and TSV, read as a
 * stream with csv-parse. Records are handled synchronously inside the parser (no object-mode
 * buffering), so every record, error and bad byte is known by its exact row. Memory stays bounded:
 * one record at a time plus the column profiles — unless the caller keeps the records (`keepRecords`, only for
 * files up to PARSE_CACHE_MAX_FILE_BYTES).
 */
import type { CsvError } from 'csv-parse';
import { AppError } from '../../../core/errors.ts';
import { TableProfiler } from '../stats.ts';
import { duplicateHeaderError, genericColumns, looksLikeHeader, normaliseHeader, ProblemCollector } from '../validate.ts';
import { createCsvEngine, parseSample, QUOTE_ERRORS } from './csv-engine.ts';
import { ProgressThrottle, TextGuard } from './text-guard.ts';
import type { DelimitedSchema, HeaderOption, ImportLimits, ImportResult, ProgressFn } from './types.ts';

export { parseSample } from './csv-engine.ts';

export interface DelimitedInput {
  source: AsyncIterable<Buffer>;
  head: Buffer;
  headIsWhole: boolean;
  fileName: string;
  format: 'csv' | 'tsv';
  delimiter: string;
  header: HeaderOption;
  totalBytes: number;
  limits: ImportLimits;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /**
   * Read with relax_quotes off, so the records are exactly what a strict reader (the text domain's) gets; at the
   * first quote that only the relaxed rules accept, throws QuotesNeedRelaxing and the caller reads again relaxed.
   */
  strictQuotes?: boolean;
  /** Every record the parser delivers is pushed here (header and blank rows included), for the parse cache. */
  keepRecords?: string[][];
  /**
   * The file's records, already read in memory exactly as the strict rules read them (fast-csv.ts); `source` is then
   * not read. Problems name lines, which only csv-parse knows: on any error this throws ReadAgain.
   */
  records?: readonly string[][];
}

/** This way of reading cannot give the import's answer for this file: the caller reads it again the next way. */
export class ReadAgain extends Error {}
/** A strict read met a quote the relaxed rules accept: read the file again without `strictQuotes`. */
export class QuotesNeedRelaxing extends ReadAgain {}

const QUOTE_FIX = 'Quote fields that contain the delimiter, quotes or line breaks ("a, b"), and double quotes inside quoted fields ("say ""hi"""). Every row needs as many fields as the header.';

export async function importDelimited(input: DelimitedInput): Promise<ImportResult> {
  const { limits, fileName, delimiter } = input;
  const problems = new ProblemCollector(limits.maxErrors, limits.maxWarnings);
  // A first row that would be a header but for a repeated name is a header with a duplicate (refused below), not data.
  const hasHeader = input.header === 'auto' ? headerInSample(input) : input.header === 'true';
  const guard = new TextGuard(fileName);
  const progress = new ProgressThrottle(input.onProgress, input.totalBytes);
  const delimName = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
  let columns: string[] | undefined;
  let profiler: TableProfiler | undefined;
  let records = 0;
  let blank = 0;
  let lastEndLine = 0;
  let stop = false;
  let headerError: AppError | undefined;

  const kept = input.keepRecords;
  const onRecord = (record: string[], endLine: number): void => {
    kept?.push(record);
    records++;
    const startLine = lastEndLine + 1;
    lastEndLine = endLine;
    if (stop) return;
    if (columns === undefined) {
      if (record.length > limits.maxColumns) {
        problems.error({ row: records, problem: `has ${record.length} columns; at most ${limits.maxColumns} are supported`, fix: 'Split the file into narrower tables or check the delimiter.' });
        stop = true;
        return;
      }
      headerError = hasHeader ? duplicateHeaderError(record, fileName) : undefined;
      if (headerError) {
        stop = true; // thrown after the parser is done (throwing inside its data event would be swallowed)
        return;
      }
      columns = hasHeader ? normaliseHeader(record, problems) : genericColumns(record.length);
      profiler = new TableProfiler(columns);
      if (hasHeader) return;
    }
    const n = columns.length;
    if (record.length !== n) {
      if (record.every((c) => c.trim() === '')) {
        blank++;
        return;
      }
      const few = record.length < n;
      problems.error({
        row: records,
        field: few ? columns[record.length] : undefined,
        problem: `has ${record.length} field${record.length === 1 ? '' : 's'} but the ${hasHeader ? 'header has' : 'first row has'} ${n} (line ${startLine}${endLine > startLine ? `-${endLine}` : ''})${few ? `; "${columns[record.length]}" and later fields are missing` : `; a value probably contains an unquoted ${delimName}`}`,
        fix: QUOTE_FIX,
      });
      if (problems.full) stop = true;
      return;
    }
    if (n > 1 && record.every((c) => c === '')) {
      blank++;
      return;
    }
    (profiler as TableProfiler).addRow(record);
  };

  if (input.records) {
    input.signal?.throwIfAborted();
    for (const record of input.records) {
      onRecord(record, 0);
      if (stop) break;
    }
    if (stop || headerError || problems.errorCount > 0) throw new ReadAgain('problems need line numbers');
    // the same report a streamed read makes after its chunks (progress bars, and the recovery tests' hold point)
    await progress.tick(input.totalBytes, `${records} rows read`);
    return finishImport({ input, problems, profiler, records, blank, hasHeader });
  }
  const engine = createCsvEngine(delimiter, limits.maxRecordChars, onRecord, !input.strictQuotes);
  // Until the first quote error a strict and a relaxed read deliver the same records; from there only the relaxed
  // one is the import's answer, so a strict read gives up at that point (wherever it is noticed).
  const relaxIfQuote = (err: CsvError | undefined): CsvError | undefined => {
    if (err && input.strictQuotes && QUOTE_ERRORS.has(err.code)) throw new QuotesNeedRelaxing(err.message);
    return err;
  };
  try {
    for await (const chunk of input.source) {
      input.signal?.throwIfAborted();
      await guard.throwIfBad(chunk, () => records + 1, async (prefix) => {
        relaxIfQuote(engine.write(prefix));
        await engine.settle();
      });
      const err = relaxIfQuote(engine.write(chunk));
      guard.advance(chunk);
      if (err) throw csvError(err, fileName, lastEndLine, limits);
      if (stop) break;
      await progress.tick(guard.bytes, `${records} rows read`);
    }
    if (!stop) {
      guard.finish(records + 1);
      const err = relaxIfQuote(await engine.end());
      if (err) throw csvError(err, fileName, lastEndLine, limits);
    }
  } finally {
    engine.destroy();
  }
  if (headerError) throw headerError;
  return finishImport({ input, problems, profiler, records, blank, hasHeader });
}

/**
 * Whether the head's sample rows start with a header. With the records already read (fast-csv.ts), a first record
 * that alone cannot be a header (a long text cell, say: every Comprehend CSV) answers "no" without parsing the
 * sample: the sample's first row is that record (or the sample is empty, also "no"), and more rows only ever turn a
 * "yes" into a "no". Saves a cold csv-parse pass over the head (~50 ms of a 10k-row import, issue 17).
 */
function headerInSample(input: DelimitedInput): boolean {
  const first = input.records?.[0];
  if (first && !looksLikeHeader([first], { allowDuplicates: true })) return false;
  return looksLikeHeader(parseSample(input.head, input.delimiter, 1000, input.headIsWhole), { allowDuplicates: true });
}

interface ImportEnd {
  input: DelimitedInput;
  problems: ProblemCollector;
  profiler: TableProfiler | undefined;
  records: number;
  blank: number;
  hasHeader: boolean;
}

/** After the last record: the import's errors, or its result (schema, stats, warnings). */
function finishImport({ input, problems, profiler, records, blank, hasHeader }: ImportEnd): ImportResult {
  const { fileName, delimiter } = input;
  problems.throwIfErrors('CSV_MALFORMED', `${fileName} is not valid ${input.format.toUpperCase()}`);
  if (!profiler || profiler.rows === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName} has ${hasHeader ? 'a header but ' : ''}no data rows.`, {
      problems: [{ row: records + 1, problem: 'no data rows', fix: hasHeader ? 'Add data rows under the header, or upload with header=false if the first row is data.' : 'Add data rows.' }],
    });
  }
  if (blank > 0) problems.warn({ problem: `${blank} blank row${blank === 1 ? ' was' : 's were'} skipped`, fix: 'Remove empty rows (e.g. ",,,") from the file.' });
  const { stats, columns: columnSchema } = profiler.finish(blank);
  addTabularWarnings(stats.columns, problems);
  const schema: DelimitedSchema = { format: input.format, delimiter, header: hasHeader, encoding: 'utf-8', columns: columnSchema };
  return { format: input.format, kind: stats.kind, rowCount: stats.rowCount, schema, stats, problems: problems.finalWarnings() };
}

export function addTabularWarnings(columns: Array<{ name: string; role: string; labels?: Array<{ label: string; count: number }>; nonEmpty: number; empty: number }>, problems: ProblemCollector): void {
  for (const c of columns) {
    if (c.nonEmpty === 0) problems.warn({ field: c.name, problem: `column "${c.name}" is empty in every row`, fix: 'Remove the column or fill it in.' });
    if (c.role === 'label' && c.labels && c.labels.length === 1 && c.empty === 0) {
      problems.warn({ field: c.name, problem: `label column "${c.name}" has a single value "${c.labels[0].label}"`, fix: 'A classifier needs at least two labels; add examples of the other classes.' });
    }
  }
}

function csvError(err: CsvError, fileName: string, lastEndLine: number, limits: ImportLimits): AppError {
  const e = err as CsvError & { records?: number; lines?: number };
  const row = (e.records ?? 0) + 1;
  const line = lastEndLine + 1;
  let problem: string;
  let fix = QUOTE_FIX;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      problem = `a quoted field opened on line ${line} is never closed (the file ends inside it)`;
      fix = 'Close the quote, or double the quote characters inside quoted fields ("").';
      break;
    case 'CSV_MAX_RECORD_SIZE':
      problem = `is longer than ${Math.round(limits.maxRecordChars / 1024 / 1024)} MiB characters (it starts on line ${line}); most likely a quote opened there is never closed`;
      fix = 'Close the quote on that line, or double the quote characters inside quoted fields ("").';
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
      problem = `a quoted field (line ${e.lines ?? line}) has characters after its closing quote`;
      break;
    default:
      problem = `${err.message} (line ${e.lines ?? line})`;
  }
  return new AppError('CSV_MALFORMED', `${fileName} is not valid CSV: row ${row}: ${problem}. Fix: ${fix}`, {
    problems: [{ row, problem, fix, severity: 'error' }],
  });
}

/** Rows [offset, offset+limit) of a ready CSV/TSV version, using the same record rules as the import. */
export async function previewDelimited(source: AsyncIterable<Buffer>, schema: DelimitedSchema, offset: number, limit: number): Promise<string[][]> {
  const rows: string[][] = [];
  const n = schema.columns.length;
  let index = -1;
  let first = true;
  const engine = createCsvEngine(schema.delimiter, 64 * 1024 * 1024, (record) => {
    if (first) {
      first = false;
      if (schema.header) return;
    }
    if (record.length !== n || (n > 1 && record.every((c) => c === ''))) return;
    index++;
    if (index >= offset && rows.length < limit) rows.push(record);
  });
  try {
    for await (const chunk of source) {
      const err = engine.write(chunk);
      if (err || rows.length >= limit) break;
    }
    if (rows.length < limit) await engine.end();
  } finally {
    engine.destroy();
  }
  return rows;
}
