/** Shared shapes of the dataset file readers (CSV/TSV, JSON Lines, zip of image folders). */
import type { Problem } from '../../../core/errors.ts';
import type { ColumnSchema, ImageStats, TabularStats } from '../stats.ts';

// Declared beside the profiler that infers it (stats.ts); re-exported here with the other schema shapes.
export type { ColumnSchema } from '../stats.ts';

/** What the user asked for in the upload form. */
export type FormatOption = 'auto' | 'csv' | 'tsv' | 'jsonl' | 'zip';
export type HeaderOption = 'auto' | 'true' | 'false';

/** The stored format of a ready version. A zip of label folders is stored as `image-folder`. */
export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'image-folder';

export type DatasetKind = 'tabular' | 'text' | 'images';

export interface DelimitedSchema {
  format: 'csv' | 'tsv';
  delimiter: string;
  header: boolean;
  encoding: 'utf-8';
  columns: ColumnSchema[];
}

export interface JsonlSchema {
  format: 'jsonl';
  encoding: 'utf-8';
  columns: ColumnSchema[];
}

export interface ImageFolderSchema {
  format: 'image-folder';
  /** Folder prefix inside the archive that holds the label folders ('' when they are at the top). */
  root: string;
  labels: string[];
  /** Artifact key (relative to the version folder) of the JSON Lines index [path, label, bytes] (+ metadata with a manifest). */
  index: string;
  /**
   * A CSV manifest inside the zip (a `path` column plus label/group/metadata columns): index lines are then
   * [path, label | null, bytes, {column: value}] with every manifest column but `path`.
   */
  manifest?: { path: string; columns: string[] };
}

export type DatasetSchema = DelimitedSchema | JsonlSchema | ImageFolderSchema;

/** The outcome of a successful import: everything the version row records. */
export interface ImportResult {
  format: DatasetFormat;
  kind: DatasetKind;
  rowCount: number;
  schema: DatasetSchema;
  stats: TabularStats | ImageStats;
  /** Warnings only: an import with an error fails instead. */
  problems: Problem[];
  /** Extra files to store next to the original (e.g. the image index). */
  sidecars?: Array<{ name: string; body: Buffer }>;
  /** A comma-separated CSV's records as a strict reader gets them, when asked for (ImportFileInput.keepRecords). */
  records?: string[][];
}

export interface ImportLimits {
  /** Largest total inflated size of an archive. */
  maxArchiveBytes: number;
  /** Largest compression ratio (uncompressed/compressed) of one archive entry above 1 MiB. */
  maxCompressionRatio: number;
  maxArchiveEntries: number;
  /** Largest single CSV record / JSON line, in characters. */
  maxRecordChars: number;
  maxColumns: number;
  /** Deepest nesting of arrays/objects in one JSON line (checked without recursion before parsing). */
  maxJsonDepth: number;
  /** Errors collected before an import stops. */
  maxErrors: number;
  /** Warnings kept (later ones are counted in one summary warning). */
  maxWarnings: number;
}

export const DEFAULT_LIMITS: Omit<ImportLimits, 'maxArchiveBytes'> = {
  maxCompressionRatio: 200,
  maxArchiveEntries: 200_000,
  maxRecordChars: 16 * 1024 * 1024,
  maxColumns: 2_000,
  maxJsonDepth: 64,
  maxErrors: 20,
  maxWarnings: 50,
};

export interface ProgressFn {
  (fraction: number, message: string): void | Promise<void>;
}
