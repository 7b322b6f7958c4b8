/**
 * The one import path (used by the `datasets.import` job and the benchmark): peek at the first KBs,
 * detect the format, then stream the file through the matching reader, which validates and profiles it.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../../../core/errors.ts';
import { importDelimited, previewDelimited, ReadAgain } from './delimited.ts';
import { fastCsvRecords } from './fast-csv.ts';
import { detectFormat, SNIFF_BYTES } from './detect.ts';
import { importJsonl, previewJsonl } from './jsonl.ts';
import { prepend, readHead, TextGuard } from './text-guard.ts';
import { importZip } from './zip.ts';
import type { DatasetSchema, FormatOption, HeaderOption, ImportLimits, ImportResult, ProgressFn } from './types.ts';

export interface ImportFileInput {
  /** Opens the stored bytes as a stream. */
  open(): Promise<Readable>;
  /** A local path to the bytes (zip archives need random access). */
  localPath(): Promise<string>;
  fileName: string;
  sizeBytes: number;
  format: FormatOption;
  header: HeaderOption;
  limits: ImportLimits;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /**
   * Return a comma-separated CSV's records in `ImportResult.records` when they are exactly what a strict reader
   * (relax_quotes off) gets, so a job that reads the file next can skip parsing it again (parse-cache.ts).
   */
  keepRecords?: boolean;
}

/**
 * How a CSV is read: 'fast' — in memory with fast-csv.ts (clean UTF-8, quotes csv-parse reads the same, no row
 * errors), else 'strict' — csv-parse streaming with relax_quotes off, else 'relaxed' — as imports always read. The
 * first two keep the records (keepRecords); each gives up (ReadAgain) where it could answer differently.
 */
type ReadMode = 'fast' | 'strict' | 'relaxed';

export async function importFile(input: ImportFileInput): Promise<ImportResult> {
  if (!input.keepRecords) return readFile(input, 'relaxed');
  for (const mode of ['fast', 'strict'] as const) {
    try {
      return await readFile(input, mode);
    } catch (err) {
      if (!(err instanceof ReadAgain)) throw err;
    }
  }
  return readFile(input, 'relaxed');
}

/** The whole file, when it is valid UTF-8 without NUL bytes and fast-csv.ts reads it; else ReadAgain. */
async function recordsInMemory(head: Buffer, it: AsyncIterator<Buffer>, fileName: string): Promise<string[][]> {
  const parts = [head];
  for (let r = await it.next(); !r.done; r = await it.next()) parts.push(r.value);
  const bytes = Buffer.concat(parts);
  const guard = new TextGuard(fileName);
  let clean = guard.inspect(bytes) === undefined;
  if (clean) {
    try {
      guard.finish(0);
    } catch {
      clean = false;
    }
  }
  const records = clean ? fastCsvRecords(bytes.toString('utf8')) : undefined;
  if (!records) throw new ReadAgain('csv-parse reads this file');
  return records;
}

async function readFile(input: ImportFileInput, mode: ReadMode): Promise<ImportResult> {
  const stream = await input.open();
  try {
    const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const { head, ended } = await readHead(it, SNIFF_BYTES);
    if (head.length === 0) {
      throw new AppError('FILE_EMPTY', `${input.fileName} is empty (0 bytes).`, { problems: [{ problem: 'the file has no content', fix: 'Upload a file with a header and data rows.' }] });
    }
    const detected = detectFormat(head, ended, input.fileName, input.format);
    const common = { fileName: input.fileName, limits: input.limits, signal: input.signal, onProgress: input.onProgress };
    if (detected.format === 'zip') {
      stream.destroy();
      return await importZip({ ...common, path: await input.localPath() });
    }
    const source = prepend(head, it);
    if (detected.format === 'jsonl') return await importJsonl({ ...common, source, totalBytes: input.sizeBytes });
    const delimiter = detected.delimiter ?? (detected.format === 'tsv' ? '\t' : ',');
    // Only a comma-separated CSV is kept; anything else is read as always, whatever the mode.
    const how = detected.format === 'csv' && delimiter === ',' ? mode : 'relaxed';
    // Fast only below the longest record allowed, so no record can be over it (csv-parse's error, with its line).
    if (how === 'fast' && input.sizeBytes >= input.limits.maxRecordChars) throw new ReadAgain('too large to read in memory');
    const inMemory = how === 'fast' ? await recordsInMemory(head, it, input.fileName) : undefined;
    const records = inMemory ?? (how === 'strict' ? [] as string[][] : undefined);
    const result = await importDelimited({
      ...common,
      source,
      head,
      headIsWhole: ended,
      format: detected.format,
      delimiter,
      header: input.header,
      totalBytes: input.sizeBytes,
      ...(inMemory ? { records: inMemory } : records ? { strictQuotes: true, keepRecords: records } : {}),
    });
    return records ? { ...result, records } : result;
  } finally {
    stream.destroy();
  }
}

/** Rows of a ready text version (CSV/TSV/JSON Lines) for the preview endpoint. */
export async function previewText(stream: Readable, schema: DatasetSchema, offset: number, limit: number): Promise<string[][]> {
  try {
    const source = stream as AsyncIterable<Buffer>;
    if (schema.format === 'jsonl') return await previewJsonl(source, schema, offset, limit);
    if (schema.format === 'csv' || schema.format === 'tsv') return await previewDelimited(source, schema, offset, limit);
    throw new AppError('INTERNAL', `previewText cannot read format ${schema.format}`);
  } finally {
    stream.destroy();
  }
}

export type { ImportResult } from './types.ts';
