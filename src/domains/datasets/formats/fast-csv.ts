/**
 * A fast reader for the common case of a comma-separated CSV held in memory: the records csv-parse gives with the
 * import's strict rules (csv-engine.ts: RFC 4180 quotes with "" escapes, CRLF/LF/CR record breaks, blank lines
 * skipped, BOM dropped, relax_quotes off), or undefined for anything it does not read exactly as csv-parse does —
 * a quote inside an unquoted field, text after a closing quote, an unclosed quote — and the caller then reads the
 * file with csv-parse (which reports those). csv-parse copies a field byte by byte; this slices the string, several
 * times faster, which is most of the import of a text-classification file. Equivalence: fast-csv.test.ts.
 */
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** One field read from `s` at `i` by `scanField`: its text, whether it was quoted, and where it ends. */
export interface ScannedField {
  value: string;
  quoted: boolean;
  /** The index after the field: a delimiter, a record break, or `s.length`. */
  end: number;
}

/**
 * Reads the field at `i` with the import's strict rules (RFC 4180 quotes with "" escapes, delimiter `d`, CR/LF record
 * breaks): the field, `'open'` for a quote not closed before the end of `s`, or `'invalid'` for what csv-parse reads
 * only with relax_quotes (a quote inside an unquoted field, text after a closing quote). Shared by the whole-file
 * reader below and csv-engine.ts's sample reader, which treat the end of `s` differently.
 */
export function scanField(s: string, i: number, d: number): ScannedField | 'open' | 'invalid' {
  const n = s.length;
  if (i < n && s.charCodeAt(i) === QUOTE) {
    let out = '';
    let from = i + 1;
    for (;;) {
      const q = s.indexOf('"', from);
      if (q < 0) return 'open';
      if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
        out += s.slice(from, q + 1);
        from = q + 2;
        continue;
      }
      out += s.slice(from, q);
      const end = q + 1;
      if (end < n) {
        const c = s.charCodeAt(end);
        if (c !== d && c !== LF && c !== CR) return 'invalid'; // text after the closing quote
      }
      return { value: out, quoted: true, end };
    }
  }
  let j = i;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === d || c === LF || c === CR) break;
    if (c === QUOTE) return 'invalid'; // a quote inside an unquoted field
    j++;
  }
  return { value: s.slice(i, j), quoted: false, end: j };
}

export function fastCsvRecords(input: string): string[][] | undefined {
  const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = s.length;
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    const field = scanField(s, i, COMMA);
    if (typeof field === 'string') return undefined; // an unclosed or relaxed quote: csv-parse reports it
    const { value, quoted } = field;
    i = field.end;
    if (i >= n) {
      // End of input: the last record, unless the line is empty.
      if (quoted || record.length > 0 || value.length > 0) {
        record.push(value);
        records.push(record);
      }
      return records;
    }
    const c = s.charCodeAt(i);
    if (c === COMMA) {
      record.push(value);
      i++;
      continue;
    }
    // A record break: CRLF, LF or CR.
    i += c === CR && i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
    if (!quoted && record.length === 0 && value.length === 0) continue; // blank line, skipped
    record.push(value);
    records.push(record);
    record = [];
  }
}
