/** Reads a dataset version from the store as labeled documents in the requested text format. */
import { AppError, type Problem } from '../../core/errors.ts';
import type { TextDeps } from './deps.ts';
import { detectTextFormat, parseLabeledText, type LabeledDocument, type ParseOptions, type ParsedText, type TextFormat } from './formats.ts';
import type { z } from 'zod';
import type { labeledSourceSchema } from './schema.ts';

export type LabeledSource = z.infer<typeof labeledSourceSchema>;

export interface LoadedDocs {
  docs: LabeledDocument[];
  problems: Problem[];
  format: TextFormat;
  versionId: string;
  version: number;
}

export async function readStream(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * Bytes enough for the characters comprehendFromRecords reads (a BOM, then detectTextFormat's 65,536): UTF-8 needs at
 * most 4 bytes per character, so their decoding is the same as the whole file's (a character cut at the end lies past them).
 */
const DETECT_HEAD_BYTES = 4 * (65536 + 1);

async function readUpTo(chunks: AsyncIterator<Uint8Array>, limit: number): Promise<{ bytes: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const r = await chunks.next();
    if (r.done) return { bytes: Buffer.concat(parts), ended: true };
    parts.push(Buffer.from(r.value));
    total += r.value.length;
  }
  return { bytes: Buffer.concat(parts), ended: false };
}

async function readRest(chunks: AsyncIterator<Uint8Array>): Promise<Buffer> {
  return (await readUpTo(chunks, Infinity)).bytes;
}

/**
 * Comprehend CSV documents from records the dataset import already parsed (the same record rules as formats.ts's
 * csvRecords: strict quotes, CRLF/LF/CR, blank lines skipped), exactly as parseLabeledText builds them; undefined
 * when the content is not Comprehend CSV. Training right after an import (the CLI's `text train`) then parses once.
 */
export function comprehendFromRecords(content: string, records: readonly string[][], options: ParseOptions): ParsedText | undefined {
  const format = !options.format || options.format === 'auto' ? detectTextFormat(content.replace(/^\uFEFF/, '').slice(0, 65536)) : options.format;
  if (format !== 'comprehend-csv') return undefined;
  const delimiter = options.delimiter ?? '|';
  const docs: LabeledDocument[] = [];
  const problems: Problem[] = [];
  records.forEach((record, i) => {
    const row = i + 1;
    if (record.length < 2) {
      problems.push({ row, field: 'text', problem: `row has ${record.length} column; a label and a text are needed`, fix: 'Write each row as `label,text` and quote texts that contain commas or newlines.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      return;
    }
    const label = record[0]!;
    docs.push({ row, text: record.slice(1).join(','), labels: options.mode === 'multi-label' ? label.split(delimiter) : [label] });
  });
  return { format, docs, problems };
}

export async function loadLabeledDocs(deps: TextDeps, source: LabeledSource): Promise<LoadedDocs> {
  const version = await deps.datasets.getVersion(source.dataset, source.datasetVersion ?? 'latest');
  if (!['csv', 'jsonl'].includes(version.format)) {
    throw new AppError('TEXT_FORMAT_UNSUPPORTED', `Dataset "${source.dataset}" v${version.version} is ${version.format}; text classifiers train on CSV or JSON Lines.`, {
      problems: [{ field: 'dataset', problem: `format ${version.format}`, fix: 'Upload a Comprehend two-column CSV, a Kaggle-style wide CSV, JSON Lines or an augmented manifest.' }],
    });
  }
  const file = await deps.datasets.openFile(source.dataset, version.version);
  const records = version.format === 'csv' ? deps.datasets.csvRecords(file.sha256) : undefined;
  const options: ParseOptions = {
    format: source.format,
    mode: source.mode,
    delimiter: source.delimiter,
    textColumn: source.textColumn,
    labelColumns: source.labelColumns,
    noneLabel: source.noneLabel,
    labelAttribute: source.labelAttribute,
  };
  const chunks = file.stream[Symbol.asyncIterator]();
  // With the import's records, the file's text serves only format detection: read its head, the rest only if needed.
  const head = records ? await readUpTo(chunks, DETECT_HEAD_BYTES) : { bytes: Buffer.alloc(0), ended: false };
  const fromRecords = records && comprehendFromRecords(head.bytes.toString('utf8'), records, options);
  if (fromRecords) await chunks.return?.();
  const parsed = fromRecords ?? parseLabeledText(head.ended ? head.bytes.toString('utf8') : Buffer.concat([head.bytes, await readRest(chunks)]).toString('utf8'), options);
  return { docs: parsed.docs, problems: parsed.problems, format: parsed.format, versionId: version.id, version: version.version };
}
