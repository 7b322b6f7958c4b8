/**
 * The csv-parse engine that CSV/TSV import, preview and format detection share: one set of record rules
 * (RFC 4180 quoting, any line break, BOM), records delivered synchronously with their end line.
 */
import { finished } from 'node:stream/promises';
import { parse, type CsvError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { scanField } from './fast-csv.ts';

// Record breaks: CRLF, LF or a bare CR (old Mac files), mixed freely. csv-parse's auto-detection keeps only the
// first kind it meets, so a file mixing CRLF and LF would read LF breaks as part of a field.
const CSV_OPTIONS = { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] };

export interface CsvEngine {
  /** Parses a chunk; returns the parser error, if any. */
  write(chunk: Buffer): CsvError | undefined;
  end(): Promise<CsvError | undefined>;
  settle(): Promise<void>;
  destroy(): void;
}

/** csv-parse's errors where relax_quotes would have read on (a quote inside an unquoted field, text after a closing quote). */
export const QUOTE_ERRORS: ReadonlySet<string> = new Set(['INVALID_OPENING_QUOTE', 'CSV_INVALID_CLOSING_QUOTE']);

/**
 * `onRecord(record, endLine)` runs for each record, synchronously during `write` (a 'data' listener on
 * a flowing parser is called from inside the parser; measured as fast as a bare csv-parse pipe, while
 * `on_record` costs ~40% more). `settle()` lets any record still buffered by the stream through.
 */
export function createCsvEngine(delimiter: string, maxRecordChars: number, onRecord: (record: string[], endLine: number) => void, relaxQuotes = true): CsvEngine {
  const parser = parse({ ...CSV_OPTIONS, relax_quotes: relaxQuotes, delimiter, max_record_size: maxRecordChars });
  parser.on('data', (record: string[]) => onRecord(record, parser.info.lines));
  parser.on('error', () => {});
  return {
    write(chunk) {
      if (parser.errored) return parser.errored as CsvError;
      parser.write(chunk);
      return (parser.errored as CsvError | null) ?? undefined;
    },
    async end() {
      if (!parser.errored) {
        parser.end();
        await finished(parser).catch(() => {});
      }
      return (parser.errored as CsvError | null) ?? undefined;
    },
    settle() {
      return new Promise((resolve) => setImmediate(resolve));
    },
    destroy() {
      parser.destroy();
    },
  };
}

const SAMPLE_SLICE = 8 * 1024;

/** The complete records at the start of a sample (at most `max`); a trailing partial record is dropped unless `whole`. */
export function parseSample(sample: Buffer, delimiter: string, max: number, whole = false): string[][] {
  const rows: string[][] = [];
  const onRecord = (r: string[]): void => {
    if (rows.length < max) rows.push(r);
  };
  if (whole) {
    // csv-parse holds back the last bytes until the input ends; the sync API ends it for us.
    try {
      parseSync(sample, { ...CSV_OPTIONS, delimiter, max_record_size: 1024 * 1024, on_record: (r: string[]) => (onRecord(r), null) });
    } catch {
      // keep the records before the error
    }
    return rows;
  }
  const fast = sampleRecords(sample, delimiter, max);
  if (fast) return fast;
  // In slices, stopping once `max` records are in: format detection tries several delimiters on a 64 KiB head, and
  // parsing all of it each time (csv-parse is still cold then) was a visible part of a small import.
  const engine = createCsvEngine(delimiter, 1024 * 1024, onRecord);
  for (let at = 0; at < sample.length && rows.length < max; at += SAMPLE_SLICE) engine.write(sample.subarray(at, at + SAMPLE_SLICE));
  engine.destroy();
  return rows;
}

/**
 * csv-parse, fed a buffer that has not ended, holds back its last bytes: it reads a byte only while at least
 * HELD_BACK more follow (the longest of a quote, a record break and a multi-byte trim character, 3 bytes in UTF-8),
 * so a record counts only when at least this many bytes follow its record break.
 */
const HELD_BACK = 3;
const QUOTE = 34, LF = 10, CR = 13;

/**
 * The records parseSample's csv-parse pass gives for a sample that has not ended, read without csv-parse (its first,
 * cold passes cost ~50 ms per imported file: format detection and header detection, issue 17): a plain scan over the
 * bytes as latin1 (record breaks, quotes and delimiters are ASCII, which UTF-8 never uses inside a character), each
 * field decoded from its own bytes as csv-parse does. Undefined — csv-parse then reads the sample — for anything whose
 * reading depends on csv-parse's rules beyond the plain ones: a BOM, a multi-character delimiter, a quote inside an
 * unquoted field or text after a closing quote (relax_quotes), a sample over csv-parse's record limit.
 */
export function sampleRecords(sample: Buffer, delimiter: string, max: number): string[][] | undefined {
  if (delimiter.length !== 1 || sample.length > 1024 * 1024 || (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)) return undefined;
  const d = delimiter.charCodeAt(0);
  if (d === QUOTE || d === LF || d === CR || d > 127) return undefined;
  const s = sample.toString('latin1');
  const n = s.length;
  const decode = (raw: string): string => (/[\x80-\xff]/.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw);
  const rows: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (rows.length < max) {
    const field = scanField(s, i, d);
    if (field === 'invalid') return undefined;
    if (field === 'open') return rows; // the sample ends inside the quoted field
    const { value, quoted } = field;
    i = field.end;
    // a record the sample cuts off (a closing quote as its last byte too: csv-parse waits for what follows it)
    if (i >= n) return rows;
    if (s.charCodeAt(i) === d) {
      record.push(decode(value));
      i++;
      continue;
    }
    // A record break at i: csv-parse reads it only with HELD_BACK bytes after it.
    if (n - i - 1 < HELD_BACK) return rows;
    i += s.charCodeAt(i) === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
    if (!quoted && record.length === 0 && value.length === 0) continue; // blank line, skipped
    record.push(decode(value));
    rows.push(record);
    record = [];
  }
  return rows;
}
