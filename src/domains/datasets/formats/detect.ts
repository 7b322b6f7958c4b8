/**
 * Format detection from the first KBs of a file: the declared format wins, then binary signatures,
 * then the file extension, then the content (JSON object per line, or the delimiter that splits the
 * sample rows into a consistent number of fields).
 */
import { AppError } from '../../../core/errors.ts';
import { parseSample } from './csv-engine.ts';
import type { FormatOption } from './types.ts';

export const SNIFF_BYTES = 64 * 1024;

export interface Detected {
  format: 'csv' | 'tsv' | 'jsonl' | 'zip';
  delimiter?: string;
}

const SIGNATURES: Array<{ bytes: number[]; offset?: number; what: string; fix: string }> = [
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file', fix: 'Decompress it first (gunzip) or upload a .zip.' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file', fix: 'Decompress it first or upload a .zip.' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file', fix: 'Decompress it first or upload a .zip.' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file', fix: 'Decompress it first or upload a .zip.' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', fix: 'Re-pack it as a .zip.' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: 'a RAR archive', fix: 'Re-pack it as a .zip.' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', fix: 'Upload images inside a .zip with one folder per label.' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image', fix: 'Upload images inside a .zip with one folder per label.' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image', fix: 'Upload images inside a .zip with one folder per label.' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document', fix: 'Extract the text into CSV or JSON Lines.' },
  { bytes: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file', fix: 'Export it as CSV or JSON Lines.' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'a legacy Office document (.xls/.doc)', fix: 'Export the sheet as CSV (UTF-8).' },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], what: 'an SQLite database', fix: 'Export the table as CSV.' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable (ELF)', fix: 'Upload the dataset file, not a program.' },
  { bytes: [0x4d, 0x5a], what: 'an executable (Windows)', fix: 'Upload the dataset file, not a program.' },
];

const OFFICE_ZIP = /\.(xlsx|xlsm|docx|pptx|ods|odt|odp|jar|apk|epub|whl)$/i;

export function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return m ? m[1].toLowerCase() : '';
}

export function isZipSignature(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function startsWith(head: Buffer, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/** Throws FILE_BINARY / FILE_ENCODING for content that cannot be a UTF-8 text dataset. */
export function assertTextHead(head: Buffer, fileName: string): void {
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    throw new AppError('FILE_ENCODING', `${fileName} is UTF-16 encoded (it starts with a UTF-16 byte-order mark); Sagebrush reads UTF-8.`, {
      problems: [{ row: 1, problem: 'UTF-16 byte-order mark at byte 0', fix: 'Re-save the file as UTF-8 (in a spreadsheet: "CSV UTF-8"; or `iconv -f utf-16 -t utf-8`).' }],
    });
  }
  for (const sig of SIGNATURES) {
    if (startsWith(head, sig.bytes)) {
      throw new AppError('FILE_BINARY', `${fileName} looks like ${sig.what}, not a text dataset. ${sig.fix}`, {
        problems: [{ row: 1, problem: `binary signature of ${sig.what} at byte 0`, fix: sig.fix }],
      });
    }
  }
  const nul = head.indexOf(0);
  if (nul >= 0) throw binaryAt(fileName, nul, lineAt(head, nul));
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  if (head.length > 0 && control / head.length > 0.01) {
    throw new AppError('FILE_BINARY', `${fileName} has ${control} control bytes in its first ${head.length} bytes: it is binary, not a text dataset.`, {
      problems: [{ problem: 'control bytes in a text file', fix: 'Upload the CSV/TSV/JSON Lines file itself, saved as UTF-8 text.' }],
    });
  }
}

export function binaryAt(fileName: string, offset: number, line: number, row?: number): AppError {
  const where = row === undefined ? `line ${line}` : `row ${row} (line ${line})`;
  return new AppError('FILE_BINARY', `${fileName} contains a NUL byte at byte offset ${offset}, ${where}: it is binary, not a text dataset.`, {
    problems: [{ row: row ?? line, problem: `NUL byte at byte offset ${offset}`, fix: 'Upload the text file itself, saved as UTF-8; remove binary data from the file.' }],
    extra: { offset, line },
  });
}

export function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = buf.indexOf(10); i >= 0 && i < offset; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

function unknown(fileName: string, why: string): AppError {
  return new AppError('FILE_FORMAT_UNKNOWN', `Cannot tell the format of ${fileName}: ${why}.`, {
    problems: [{ problem: why, fix: 'Upload CSV, TSV, JSON Lines (.jsonl) or a .zip of image folders, or set the form field format=csv|tsv|jsonl|zip.' }],
  });
}

/**
 * Decides the format. `head` is the first SNIFF_BYTES of the file (`whole` when that is all of it).
 * Throws FILE_EMPTY, FILE_BINARY, FILE_ENCODING, FILE_FORMAT_UNKNOWN or ARCHIVE_INVALID.
 */
export function detectFormat(head: Buffer, whole: boolean, fileName: string, declared: FormatOption = 'auto'): Detected {
  const ext = extensionOf(fileName);
  const zipMagic = isZipSignature(head);
  if (declared === 'zip' || (declared === 'auto' && (zipMagic || ext === 'zip'))) {
    if (!zipMagic) {
      throw new AppError('ARCHIVE_INVALID', `${fileName} is not a zip archive (it does not start with the zip signature PK\\x03\\x04).`, {
        problems: [{ problem: 'missing zip signature at byte 0', fix: 'Upload a real .zip (e.g. `zip -r images.zip cats dogs`), or pick the right format.' }],
      });
    }
    if (OFFICE_ZIP.test(fileName)) throw unknown(fileName, `.${ext} files (office documents, packages) are not datasets; export the sheet as CSV`);
    return { format: 'zip' };
  }
  if (zipMagic) {
    throw new AppError('FILE_BINARY', `${fileName} is a zip archive, not ${declared.toUpperCase()} text.`, {
      problems: [{ row: 1, problem: 'zip signature at byte 0', fix: 'Upload it with format=zip (or auto), or upload the text file itself.' }],
    });
  }
  assertTextHead(head, fileName);
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (whole && trimmed.length === 0) {
    throw new AppError('FILE_EMPTY', `${fileName} contains only blank lines or whitespace.`, {
      problems: [{ problem: 'no data', fix: 'Upload a file with a header row and data rows.' }],
    });
  }
  if (declared === 'csv' || declared === 'tsv') return { format: declared, delimiter: declared === 'tsv' ? '\t' : bestDelimiter(head, [',', ';', '|']) ?? ',' };
  if (declared === 'jsonl') return { format: 'jsonl' };

  if (ext === 'tsv' || ext === 'tab') return { format: 'tsv', delimiter: '\t' };
  if (ext === 'jsonl' || ext === 'ndjson') return { format: 'jsonl' };
  const first = trimmed[0];
  if (first === '{') return { format: 'jsonl' };
  if (first === '[' && (ext === 'json' || ext === '' || /^\[\s*[{[\]]/.test(trimmed))) {
    throw unknown(fileName, 'it is a JSON array; convert it to JSON Lines, one object per line (e.g. `jq -c ".[]" data.json > data.jsonl`)');
  }
  if (ext === 'json') throw unknown(fileName, 'a .json file must hold one JSON object per line (JSON Lines)');
  if (first === '<') throw unknown(fileName, 'it looks like HTML or XML');
  if (ext === 'csv') return { format: 'csv', delimiter: bestDelimiter(head, [',', ';', '\t', '|']) ?? ',' };
  const delimiter = bestDelimiter(head, ['\t', ',', ';', '|']);
  if (delimiter === '\t') return { format: 'tsv', delimiter };
  if (delimiter) return { format: 'csv', delimiter };
  throw unknown(fileName, 'no delimiter (comma, tab, semicolon or pipe) splits its lines into consistent columns');
}

/**
 * The delimiter (from `candidates`, in order of preference) that splits the sample's rows into the same
 * number (>= 2) of fields most consistently; undefined when none does.
 */
export function bestDelimiter(head: Buffer, candidates: string[]): string | undefined {
  let best: { delimiter: string; score: number } | undefined;
  for (const delimiter of candidates) {
    const rows = parseSample(head, delimiter, 200);
    if (rows.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let mode = 0;
    let modeCount = 0;
    for (const [len, c] of counts) if (c > modeCount || (c === modeCount && len > mode)) [mode, modeCount] = [len, c];
    if (mode < 2) continue;
    const consistency = modeCount / rows.length;
    if (consistency < 0.8) continue;
    const score = consistency + Math.min(mode, 50) / 1000;
    if (!best || score > best.score + 0.05) best = { delimiter, score };
    // A later candidate must beat the best by 0.05, and no score exceeds 1.05: once the best is ≥ 1 (every row the
    // same width) it is final, so the rest of the candidates (a cold csv-parse pass each, ~30 ms) are not parsed.
    if (best.score >= 1) break;
  }
  return best?.delimiter;
}
