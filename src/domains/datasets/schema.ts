/** API shapes of the datasets domain (zod): validation and the OpenAPI document come from these. */
import { z } from 'zod';
import type { Problem } from '../../core/errors.ts';
import { jobSchema, problemSchema } from '../../jobs/schema.ts';

export const VERSION_STATUSES = ['uploading', 'importing', 'ready'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.string().describe('tabular | text | images (unknown until the first version is imported)'),
  latestVersion: z.number().int().describe('Highest ready version (0 while the first one imports)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Dataset = z.infer<typeof datasetSchema>;

export const datasetVersionSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  version: z.number().int(),
  format: z.string().describe('csv | tsv | jsonl | image-folder (the requested format while importing)'),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  rowCount: z.number().int().describe('Data rows, or labelled images'),
  status: z.enum(VERSION_STATUSES),
  schema: z.record(z.string(), z.unknown()),
  stats: z.record(z.string(), z.unknown()),
  problems: z.array(problemSchema).describe('Warnings found by the import'),
  meta: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export interface DatasetVersion extends Omit<z.infer<typeof datasetVersionSchema>, 'problems'> {
  problems: Problem[];
}

export const datasetWithVersionsSchema = datasetSchema.extend({ versions: z.array(datasetVersionSchema) });
export type DatasetWithVersions = Dataset & { versions: DatasetVersion[] };

export const uploadAcceptedSchema = z.object({ dataset: datasetSchema, version: datasetVersionSchema, job: jobSchema });
export const uploadDoneSchema = z.object({ dataset: datasetSchema, version: datasetVersionSchema });

export const formatOptionSchema = z.enum(['auto', 'csv', 'tsv', 'jsonl', 'zip']);
export const headerOptionSchema = z.enum(['auto', 'true', 'false']);

/** Multipart text fields of the upload form (validated by the route; the file part is `file`). */
export const uploadFieldsSchema = z.object({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(2000).optional(),
  format: formatOptionSchema.default('auto'),
  header: headerOptionSchema.default('auto'),
});
export const UPLOAD_FIELDS = ['name', 'description', 'format', 'header'] as const;

export const uploadQuerySchema = z.object({
  wait: z.stringbool().default(false).describe('Wait for the import and answer 201, or the import error'),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

export const idParamsSchema = z.object({ idOrName: z.string().min(1).max(200) });

export const versionParamsSchema = idParamsSchema.extend({
  n: z
    .string()
    .regex(/^(latest|[1-9][0-9]{0,8})$/, 'must be a version number (1, 2, …) or "latest"')
    .transform((v): number | 'latest' => (v === 'latest' ? 'latest' : Number(v)))
    .describe('Version number, or "latest"'),
});
export type VersionRef = number | 'latest';

export const previewQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const previewSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  offset: z.number().int(),
  total: z.number().int(),
});
export type Preview = z.infer<typeof previewSchema>;

export const listSchema = z.object({ items: z.array(datasetSchema), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** 202 answer of POST /datasets (the web UI imports this type). */
export type DatasetUploadAccepted = z.infer<typeof uploadAcceptedSchema>;
