/**
 * The result of an image-zip import, shared by the two ways a zip is labelled: label folders (zip.ts) and a CSV
 * manifest (zip-manifest.ts). Both build the same image index sidecar, stats and schema from counted labels.
 */
import type { ImageStats } from '../stats.ts';
import type { ProblemCollector } from '../validate.ts';
import type { ImageFolderSchema, ImportResult } from './types.ts';

/** The index sidecar: one JSON line per image, `[path, label, bytes, metadata?]`. */
export const IMAGE_INDEX = '_meta/images.jsonl';

/** An image found in the zip, checked against its extension. */
export interface ImageEntry {
  path: string;
  dir: string[];
  bytes: number;
}

/** What the zip walk gathered besides the images. */
export interface ZipTally {
  ignored: number;
  inflatedTotal: number;
  extensions: Record<string, number>;
  problems: ProblemCollector;
}

/** Label counts, most frequent first (ties by name). */
export function sortedLabels(counts: Map<string, number>): Array<{ label: string; count: number }> {
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}

export function imageImportResult(
  index: string[],
  labels: Array<{ label: string; count: number }>,
  unlabeled: number,
  tally: ZipTally,
  where: Pick<ImageFolderSchema, 'root' | 'manifest'>,
): ImportResult {
  const stats: ImageStats = {
    kind: 'images',
    imageCount: index.length,
    labelCount: labels.length,
    labels,
    unlabeled,
    ignoredFiles: tally.ignored,
    uncompressedBytes: tally.inflatedTotal,
    extensions: tally.extensions,
  };
  return {
    format: 'image-folder',
    kind: 'images',
    rowCount: index.length,
    schema: { format: 'image-folder', root: where.root, labels: labels.map((l) => l.label).sort(), index: IMAGE_INDEX, ...(where.manifest ? { manifest: where.manifest } : {}) },
    stats,
    problems: tally.problems.finalWarnings(),
    sidecars: [{ name: IMAGE_INDEX, body: Buffer.from(index.length > 0 ? `${index.join('\n')}\n` : '') }],
  };
}
