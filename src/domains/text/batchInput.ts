/**
 * Reads batch-analysis input the way Comprehend's async jobs do: one document per line of a text file
 * (LF, CR or CRLF; `Line` is the zero-based line as a string), one document per file (a zip of text
 * files, or a single file), or a column of a CSV file. Bad documents become error entries, so one bad
 * line never fails the whole job.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../core/errors.ts';
import type { BatchInputFormat } from './schema.ts';

export interface BatchDocument {
  file: string;
  line?: string;
  text?: string;
  error?: { code: string; message: string };
}

/** Comprehend's limit for one document of one-document-per-file input. */
const MAX_DOC_BYTES = 10 * 1024 * 1024;

function checkText(text: string): BatchDocument['error'] {
  if (text.includes('\uFFFD')) return { code: 'INVALID_ENCODING', message: 'the document is not valid UTF-8; re-save the input as UTF-8' };
  if (text.includes('\u2028')) return { code: 'INVALID_DOCUMENT', message: 'the document contains the Unicode line separator U+2028, which Comprehend does not allow; replace it with a space' };
  if (text.trim() === '') return { code: 'EMPTY_DOCUMENT', message: 'the document is empty' };
  if (Buffer.byteLength(text, 'utf8') > MAX_DOC_BYTES) return { code: 'DOCUMENT_TOO_LARGE', message: `the document is over ${MAX_DOC_BYTES} bytes; split it` };
  return undefined;
}

function doc(file: string, text: string, line?: number): BatchDocument {
  const error = checkText(text);
  return { file, ...(line !== undefined ? { line: String(line) } : {}), ...(error ? { error } : { text }) };
}

export function linesInput(fileName: string, body: Buffer): BatchDocument[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body).replace(/^\uFEFF/, '');
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => doc(fileName, l, i));
}

export function csvInput(fileName: string, body: Buffer, column?: string): BatchDocument[] {
  let records: string[][];
  try {
    records = parse(body, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new AppError('CSV_MALFORMED', `The CSV input cannot be parsed: ${(err as Error).message}`, { problems: [{ field: 'file', problem: (err as Error).message, fix: 'Quote fields that contain commas, quotes or newlines.' }] });
  }
  const header = records[0] ?? [];
  const index = column !== undefined ? header.indexOf(column) : Math.max(header.findIndex((h) => /^(text|comment_text|document)$/i.test(h)), header.length - 1);
  if (index < 0) throw new AppError('VALIDATION_FAILED', `The CSV has no column "${column}" (columns: ${header.join(', ')}).`, { problems: [{ field: 'column', problem: `no column "${column}"`, fix: `Use one of: ${header.join(', ')}` }] });
  return records.slice(1).map((r, i) => (r[index] === undefined ? { file: fileName, line: String(i), error: { code: 'MISSING_COLUMN', message: `row ${i + 2} has no column ${header[index]}` } } : doc(fileName, r[index]!, i)));
}

export function filesInput(files: Array<{ name: string; body: Buffer; tooLarge?: boolean }>): BatchDocument[] {
  return files.map((f) =>
    f.tooLarge
      ? { file: f.name, error: { code: 'DOCUMENT_TOO_LARGE', message: `the document is over ${MAX_DOC_BYTES} bytes; split it` } }
      : doc(f.name, new TextDecoder('utf-8', { fatal: false }).decode(f.body).replace(/^\uFEFF/, '')),
  );
}

export function isZip(body: Buffer): boolean {
  return body.length >= 4 && body.readUInt32LE(0) === 0x04034b50;
}

export async function readBatchInput(format: BatchInputFormat, fileName: string, body: Buffer, opts: { column?: string; unzip: (body: Buffer) => Promise<Array<{ name: string; body: Buffer; tooLarge?: boolean }>> }): Promise<BatchDocument[]> {
  switch (format) {
    case 'one-doc-per-line':
      return linesInput(fileName, body);
    case 'csv':
      return csvInput(fileName, body, opts.column);
    case 'one-doc-per-file':
      return filesInput(isZip(body) ? await opts.unzip(body) : [{ name: fileName, body }]);
  }
}
