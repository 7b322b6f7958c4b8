/**
 * Batch bodies → record objects: a JSON array (or {records: [...]}), JSON Lines, or CSV with a header row. CSV cells
 * are text, so they are converted by the group's feature types (empty cell = no value); a cell that does not convert
 * is kept as text so the record check names it. Malformed JSON / JSON Lines / CSV is FEATURE_RECORD_INVALID naming
 * the line.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError } from '../../core/errors.ts';
import { API_JSON_MAX_DEPTH, depthExceededAt } from '../../core/json-depth.ts';
import type { FeatureGroup, FeatureType } from './schema.ts';

export type BatchFormat = 'json' | 'jsonl' | 'csv';

export interface ParsedBatch {
  records: unknown[];
  /** The line (CSV, JSON Lines) or 1-based index (JSON) of each record in the user's input. */
  rows: number[];
}

function invalid(row: number, problem: string, fix: string, field?: string): AppError {
  return new AppError('FEATURE_RECORD_INVALID', `Line ${row}${field ? `, "${field}"` : ''}: ${problem}. Nothing was stored.`, { problems: [{ row, ...(field ? { field } : {}), problem, fix }] });
}

/** JSON text nesting deeper than the API allows (checked before JSON.parse: deep values overflow later walkers). */
export function tooDeep(text: string): boolean {
  const buf = Buffer.from(text, 'utf8');
  return depthExceededAt(buf, 0, buf.length, API_JSON_MAX_DEPTH) >= 0;
}
const DEEP = `nests arrays/objects more than ${API_JSON_MAX_DEPTH} levels deep`;
const DEEP_FIX = `Keep values within ${API_JSON_MAX_DEPTH} levels of nesting.`;

export function convertCell(type: FeatureType, cell: string): unknown {
  if (cell === '') return null;
  switch (type) {
    case 'string': return cell;
    case 'integer': return /^-?\d+$/.test(cell.trim()) ? Number(cell) : cell;
    case 'double': { const n = Number(cell); return cell.trim() !== '' && Number.isFinite(n) ? n : cell; }
    case 'boolean': { const b = cell.trim().toLowerCase(); return b === 'true' || b === '1' ? true : b === 'false' || b === '0' ? false : cell; }
    case 'json': try { return JSON.parse(cell) as unknown; } catch { return cell; }
  }
}

/** CSV text with a header row → objects; cells converted by the group's types (unknown columns stay text). */
export function csvRecords(text: string, types: Map<string, FeatureType> = new Map(), delimiter = ','): ParsedBatch {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { delimiter, bom: true, info: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof rows;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    throw invalid(line, `the CSV is malformed (${(err as Error).message})`, 'Quote cells that hold commas, quotes or line breaks.');
  }
  const header = rows[0]?.record ?? [];
  const records = rows.slice(1).map(({ record: cells, info }) => {
    const rec: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const cell = cells[j] ?? '';
      const type = types.get(h);
      if (type === 'json' && tooDeep(cell)) throw invalid(info.lines, DEEP, DEEP_FIX, h);
      if (type) rec[h] = convertCell(type, cell);
      else if (cell !== '') rec[h] = cell;
    });
    return rec;
  });
  return { records, rows: rows.slice(1).map((r) => r.info.lines) };
}

function jsonLines(text: string): ParsedBatch {
  const records: unknown[] = [];
  const rows: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (tooDeep(line)) throw invalid(i + 1, DEEP, DEEP_FIX);
    try {
      records.push(JSON.parse(line));
      rows.push(i + 1);
    } catch (err) {
      throw invalid(i + 1, `not valid JSON (${(err as Error).message})`, 'Write one JSON object per line.');
    }
  });
  return { records, rows };
}

/** The records of a body in `format`; a JSON body is already parsed (array, {records}, or one object). */
export function batchRecords(group: FeatureGroup, body: unknown, format: BatchFormat): ParsedBatch {
  if (format === 'csv') return csvRecords(String(body ?? ''), new Map(group.features.map((f) => [f.name, f.type])));
  if (format === 'jsonl') return jsonLines(typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '');
  // A JSON string body is file text (the CLI sends files so): JSON Lines when it starts with "{", else CSV.
  if (typeof body === 'string') return batchRecords(group, body, /^\s*\{/.test(body) ? 'jsonl' : 'csv');
  const list = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { records?: unknown }).records) ? (body as { records: unknown[] }).records : [body];
  return { records: list, rows: list.map((_, i) => i + 1) };
}
