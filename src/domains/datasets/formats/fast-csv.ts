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

export function fastCsvRecords(input: string): string[][] | undefined {
  const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = s.length;
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    // At the start of a field.
    let value: string;
    let quoted = false;
    if (i < n && s.charCodeAt(i) === QUOTE) {
      quoted = true;
      let out = '';
      let from = i + 1;
      for (;;) {
        const q = s.indexOf('"', from);
        if (q < 0) return undefined; // unclosed quote: csv-parse reports it
        if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
          out += s.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        out += s.slice(from, q);
        i = q + 1;
        break;
      }
      value = out;
      if (i < n) {
        const c = s.charCodeAt(i);
        if (c !== COMMA && c !== LF && c !== CR) return undefined; // text after the closing quote
      }
    } else {
      let j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        if (c === QUOTE) return undefined; // a quote inside an unquoted field
        j++;
      }
      value = s.slice(i, j);
      i = j;
    }
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
