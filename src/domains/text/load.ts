/** Reads a dataset version from the store as labeled documents in the requested text format. */
import { AppError, type Problem } from '../../core/errors.ts';
import type { TextDeps } from './deps.ts';
import { parseLabeledText, type LabeledDocument, type TextFormat } from './formats.ts';
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

export async function loadLabeledDocs(deps: TextDeps, source: LabeledSource): Promise<LoadedDocs> {
  const version = await deps.datasets.getVersion(source.dataset, source.datasetVersion ?? 'latest');
  if (!['csv', 'jsonl'].includes(version.format)) {
    throw new AppError('TEXT_FORMAT_UNSUPPORTED', `Dataset "${source.dataset}" v${version.version} is ${version.format}; text classifiers train on CSV or JSON Lines.`, {
      problems: [{ field: 'dataset', problem: `format ${version.format}`, fix: 'Upload a Comprehend two-column CSV, a Kaggle-style wide CSV, JSON Lines or an augmented manifest.' }],
    });
  }
  const file = await deps.datasets.openFile(source.dataset, version.version);
  const body = await readStream(file.stream);
  const parsed = parseLabeledText(body.toString('utf8'), {
    format: source.format,
    mode: source.mode,
    delimiter: source.delimiter,
    textColumn: source.textColumn,
    labelColumns: source.labelColumns,
    noneLabel: source.noneLabel,
    labelAttribute: source.labelAttribute,
  });
  return { docs: parsed.docs, problems: parsed.problems, format: parsed.format, versionId: version.id, version: version.version };
}
