/**
 * Reads the documents to summarize from an uploaded file or pasted text: plain text (also text extracted from a
 * PDF), Markdown (markup removed, headings kept as section headings), or JSON Lines of `{"id", "text"}`
 * (one summary per line). Bad input fails with the row and the fix.
 */
import { AppError, type Problem } from '../../core/errors.ts';

export type InputFormat = 'auto' | 'text' | 'markdown' | 'jsonl';

export interface InputDocument {
  id: string;
  text: string;
}

const MAX_PROBLEMS = 50;

export function formatFromName(fileName: string): Exclude<InputFormat, 'auto'> | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'txt' || ext === 'text' || ext === '') return 'text';
  return null;
}

/** Markdown → plain text that keeps the structure the summarizer uses (headings, paragraphs). */
export function markdownToText(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '') // fenced code
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images → alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // links → text
    .replace(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/gm, (_, h: string, t: string) => `${h} ${t}`) // normalise headings
    .replace(/^\s{0,3}>\s?/gm, '') // block quotes
    .replace(/^\s*[-*+]\s+/gm, '') // bullets
    .replace(/^\s*\d+[.)]\s+/gm, '') // numbered items
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|\W)[*_](\S(?:.*?\S)?)[*_](?=\W|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^\s*([-*_]\s*){3,}$/gm, '')
    .replace(/^\|.*\|\s*$/gm, '') // tables
    .replace(/\n{3,}/g, '\n\n');
}

function decode(bytes: Buffer, field: string): string {
  if (bytes.length === 0) throw new AppError('FILE_EMPTY', 'The document is empty.', { problems: [{ field, problem: 'empty', fix: 'Send a document with text.' }] });
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    throw new AppError('FILE_BINARY', 'This is a PDF file; summarization needs its text.', { problems: [{ field, problem: 'PDF binary', fix: 'Extract the text first (e.g. `pdftotext file.pdf file.txt`) and upload the .txt.' }] });
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new AppError('FILE_BINARY', 'The file is binary, not text.', { problems: [{ field, problem: 'contains NUL bytes', fix: 'Upload plain text, Markdown or JSON Lines (UTF-8).' }] });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new AppError('FILE_ENCODING', 'The file is not valid UTF-8.', { problems: [{ field, problem: 'invalid UTF-8', fix: 'Save the file as UTF-8 and upload it again.' }] });
  }
}

function parseJsonl(text: string): InputDocument[] {
  const docs: InputDocument[] = [];
  const problems: Problem[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || problems.length >= MAX_PROBLEMS) return;
    const row = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      problems.push({ row, problem: `not valid JSON (${(err as Error).message})`, fix: 'Put one JSON object {"id", "text"} on each line.' });
      return;
    }
    const o = v as { id?: unknown; text?: unknown };
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof o.text !== 'string') {
      problems.push({ row, field: 'text', problem: 'no "text" string', fix: 'Give each line a "text" field with the document.' });
      return;
    }
    if (!o.text.trim()) {
      problems.push({ row, field: 'text', problem: 'empty text', fix: 'Remove the line or give it text.' });
      return;
    }
    const id = o.id === undefined || o.id === null ? String(row) : String(o.id);
    if (ids.has(id)) {
      problems.push({ row, field: 'id', problem: `duplicate id ${JSON.stringify(id)}`, fix: 'Give every document its own id.' });
      return;
    }
    ids.add(id);
    docs.push({ id, text: o.text });
  });
  if (problems.length) {
    throw new AppError('JSONL_MALFORMED', `The JSON Lines input has ${problems.length} bad line(s); the first is line ${problems[0]!.row}: ${problems[0]!.problem}.`, { problems });
  }
  if (docs.length === 0) throw new AppError('FILE_EMPTY', 'The JSON Lines input has no documents.', { problems: [{ field: 'file', problem: 'no lines', fix: 'Put one {"id", "text"} object per line.' }] });
  return docs;
}

/** The documents of an input file. `format` 'auto' decides by the file name, then by content (a JSON object per line). */
export function readDocuments(bytes: Buffer, fileName: string, format: InputFormat = 'auto', field = 'file'): { format: Exclude<InputFormat, 'auto'>; documents: InputDocument[] } {
  const text = decode(bytes, field);
  let fmt: Exclude<InputFormat, 'auto'>;
  if (format !== 'auto') fmt = format;
  else {
    const byName = formatFromName(fileName);
    if (byName === null) {
      throw new AppError('FILE_FORMAT_UNKNOWN', `Cannot summarize a "${fileName}" file.`, {
        problems: [{ field, problem: 'unknown extension', fix: 'Upload .txt (plain text, or text extracted from a PDF), .md or .jsonl ({"id","text"} per line), or set format.' }],
      });
    }
    fmt = byName === 'text' && /^\s*\{/.test(text) && text.trim().split('\n').every((l) => !l.trim() || /^\s*\{.*\}\s*$/.test(l)) ? 'jsonl' : byName;
  }
  if (fmt === 'jsonl') return { format: fmt, documents: parseJsonl(text) };
  const body = fmt === 'markdown' ? markdownToText(text) : text.replace(/\r\n?/g, '\n');
  if (!body.trim()) throw new AppError('FILE_EMPTY', 'The document has no text.', { problems: [{ field, problem: 'only white space', fix: 'Send a document with text.' }] });
  const id = fileName.replace(/\.[^.]+$/, '') || 'document';
  return { format: fmt, documents: [{ id, text: body }] };
}
