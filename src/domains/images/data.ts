/**
 * Reads an image dataset version: the import's index (`_meta/images.jsonl`: path, label, bytes and, with a
 * CSV manifest, its columns) and, on demand, the image bytes straight from the stored zip (never extracted).
 */
import { AppError } from '../../core/errors.ts';
import type { DatasetVersion } from '../datasets/schema.ts';
import type { ImageFolderSchema } from '../datasets/formats/types.ts';
import { entryPath, IMAGE_INDEX, openZip } from '../datasets/formats/zip.ts';
import { safeFileName } from '../datasets/validate.ts';
import type { ImagesDeps } from './deps.ts';
import { parseDatasetRef } from './schema.ts';

export interface ImageRecord {
  /** Position in the dataset's index (stable: thumbnails and neighbours refer to it). */
  index: number;
  path: string;
  label: string | null;
  group: string | null;
  bytes: number;
  meta: Record<string, string>;
}

export interface ImageDataset {
  datasetId: string;
  datasetName: string;
  version: number;
  versionId: string;
  /** Manifest columns usable as label or group column ([] without a manifest). */
  columns: string[];
  records: ImageRecord[];
  zipKey: string;
}

export interface ColumnChoice {
  labelColumn?: string;
  groupColumn?: string;
}

function columnMissing(field: 'labelColumn' | 'groupColumn', name: string, columns: string[]): AppError {
  const fix = columns.length ? `Use one of the manifest's columns: ${columns.join(', ')}.` : 'This dataset has no CSV manifest: upload a zip with a manifest CSV (a "path" column plus e.g. lesion_id), or leave the column out.';
  return new AppError('IMAGE_COLUMN_MISSING', `The dataset has no column "${name}" (${field})${columns.length ? `; its columns are ${columns.join(', ')}` : ''}.`, {
    problems: [{ field, problem: `no column "${name}"`, fix }],
  });
}

export async function requireImageVersion(deps: Pick<ImagesDeps, 'datasets'>, idOrName: string, version: number | 'latest'): Promise<{ version: DatasetVersion; schema: ImageFolderSchema; datasetName: string }> {
  const v = await deps.datasets.getVersion(idOrName, version);
  if (v.status !== 'ready') {
    throw new AppError('DATASET_NOT_READY', `Version ${v.version} of "${idOrName}" is still ${v.status}.`, { problems: [{ field: 'dataset', problem: `status ${v.status}`, fix: 'Wait for its import job to finish, then retry.' }] });
  }
  if (v.format !== 'image-folder') {
    throw new AppError('IMAGE_DATASET_UNSUPPORTED', `Dataset "${idOrName}" v${v.version} is ${v.format}, not a zip of images.`, {
      problems: [{ field: 'dataset', problem: `format ${v.format}`, fix: 'Upload a zip with one folder per label (e.g. akiec/1.jpg), or a zip with a CSV manifest that has a "path" column.' }],
    });
  }
  const ds = await deps.datasets.get(v.datasetId);
  return { version: v, schema: v.schema as unknown as ImageFolderSchema, datasetName: ds.name };
}

export async function loadImageDataset(deps: Pick<ImagesDeps, 'datasets' | 'artifacts'>, ref: string | { idOrName: string; version: number | 'latest' }, choice: ColumnChoice = {}): Promise<ImageDataset> {
  const r = typeof ref === 'string' ? parseDatasetRef(ref) : { name: ref.idOrName, version: ref.version };
  const { version, schema, datasetName } = await requireImageVersion(deps, r.name, r.version);
  const columns = schema.manifest?.columns ?? [];
  if (choice.labelColumn && !columns.includes(choice.labelColumn)) throw columnMissing('labelColumn', choice.labelColumn, columns);
  if (choice.groupColumn && !columns.includes(choice.groupColumn)) throw columnMissing('groupColumn', choice.groupColumn, columns);
  const prefix = `datasets/${version.datasetId}/v${version.version}/`;
  const text = (await deps.artifacts.get(`${prefix}${schema.index ?? IMAGE_INDEX}`)).toString('utf8');
  const records: ImageRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [path, label, bytes, meta] = JSON.parse(line) as [string, string | null, number, Record<string, string> | undefined];
    const m = meta ?? {};
    const pick = (col: string | undefined, fallback: string | null) => (col ? (m[col] ?? '').trim() || null : fallback);
    records.push({ index: records.length, path, label: pick(choice.labelColumn, label), group: pick(choice.groupColumn, null), bytes, meta: m });
  }
  return { datasetId: version.datasetId, datasetName, version: version.version, versionId: version.id, columns, records, zipKey: `${prefix}${safeFileName(version.fileName)}` };
}

/** The bytes of the given images, read from the stored zip in one pass (entries were checked at import). */
export async function readImageBytes(deps: Pick<ImagesDeps, 'artifacts'>, ds: Pick<ImageDataset, 'zipKey'>, paths: Iterable<string>, signal?: AbortSignal): Promise<Map<string, Buffer>> {
  const wanted = new Set(paths);
  const out = new Map<string, Buffer>();
  if (wanted.size === 0) return out;
  const zip = await openZip(await deps.artifacts.localPath(ds.zipKey), ds.zipKey);
  try {
    const entries = zip.eachEntry();
    for (;;) {
      const r = await entries.next();
      if (r.done) break;
      signal?.throwIfAborted();
      const path = entryPath(r.value);
      if (!wanted.has(path)) continue;
      const stream = await zip.openReadStreamPromise(r.value);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of stream as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > r.value.uncompressedSize) throw new AppError('ARCHIVE_UNSAFE', `Entry "${path}" inflates past its declared size.`);
        chunks.push(c);
      }
      out.set(path, Buffer.concat(chunks));
      if (out.size === wanted.size) break;
    }
  } finally {
    zip.close();
  }
  return out;
}
