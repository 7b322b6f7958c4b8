/**
 * The metadata database schema as Kysely table types. Portable across SQLite and PostgreSQL:
 * timestamps are ISO-8601 text, JSON documents are text (`*_json`), booleans are integers 0/1.
 * Migrations in ./migrations.ts create exactly these tables.
 */
import type { Generated } from 'kysely';

export interface DatasetsTable {
  id: string;
  name: string;
  description: string;
  /** What the dataset is for / its detected kind: tabular | text | images */
  kind: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface DatasetVersionsTable {
  id: string;
  dataset_id: string;
  version: number;
  /** csv | tsv | jsonl | image-folder | zip */
  format: string;
  file_name: string;
  artifact_key: string;
  size_bytes: number;
  sha256: string;
  row_count: number;
  /** ready | invalid */
  status: string;
  /** JSON: column names, delimiter, header flag, format options */
  schema_json: string;
  /** JSON: label counts, text length histogram, etc. */
  stats_json: string;
  /** JSON: Problem[] (errors and warnings) */
  problems_json: string;
  /** JSON: free-form (parent version, edit history, split seeds…) */
  meta_json: string;
  created_at: string;
}

export interface JobsTable {
  id: string;
  type: string;
  /** queued | running | succeeded | failed | cancelled */
  status: string;
  payload_json: string;
  result_json: string | null;
  /** JSON {code, message} */
  error_json: string | null;
  progress: number;
  message: string;
  attempts: number;
  /** 1 when re-running after an interruption is safe */
  idempotent: number;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface JobLogsTable {
  id: Generated<number>;
  job_id: string;
  at: string;
  level: string;
  message: string;
}

export interface ModelsTable {
  id: string;
  name: string;
  version: number;
  /** text-classifier | image-classifier | llm … */
  kind: string;
  /** training | ready | failed */
  status: string;
  dataset_version_id: string | null;
  job_id: string | null;
  params_json: string;
  metrics_json: string;
  /** JSON: {name: artifactKey} */
  artifacts_json: string;
  meta_json: string;
  created_at: string;
}

export interface EndpointsTable {
  id: string;
  name: string;
  model_id: string;
  kind: string;
  /** JSON: runtime settings (threads, context size, queue size, …) */
  config_json: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  jobs: JobsTable;
  job_logs: JobLogsTable;
  models: ModelsTable;
  endpoints: EndpointsTable;
}
