/**
 * Types mirroring docs/CONTRACTS.md (REST API v1). Fields the server may add later are optional, and
 * JSON documents whose shape belongs to another domain (schema, stats, meta) are `unknown`: read them
 * through the defensive helpers next to the pages that use them.
 */

export interface Problem {
  row?: number;
  field?: string;
  problem: string;
  fix: string;
  severity?: 'error' | 'warning';
}

/** application/problem+json body. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  code: string;
  detail: string;
  requestId?: string;
  instance?: string;
  problems?: Problem[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  payload: unknown;
  result: unknown;
  error: { code: string; message: string; problems?: Problem[] } | null;
  /** 0..1 */
  progress: number;
  message: string;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface JobLogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** One Server-Sent Event from /jobs/{id}/events or /events. */
export interface JobEvent {
  jobId: string;
  status: JobStatus;
  progress: number;
  message: string;
}

export type DatasetFormat = 'auto' | 'csv' | 'tsv' | 'jsonl' | 'zip';

/** A summary of the latest version, when the list endpoint embeds one (optional). */
export interface DatasetVersionSummary {
  version?: number;
  format?: string;
  rowCount?: number;
  sizeBytes?: number;
  status?: string;
}

export interface Dataset {
  id: string;
  name: string;
  description: string;
  kind: string;
  /** Highest ready version (0 while the first one imports). */
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  latest?: DatasetVersionSummary | null;
}

export interface DatasetVersion {
  id: string;
  datasetId: string;
  version: number;
  format: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  rowCount: number;
  /** uploading | importing | ready (a failed import removes its version) */
  status: string;
  schema: unknown;
  stats: unknown;
  problems: Problem[] | null;
  meta: unknown;
  createdAt: string;
}

export interface DatasetDetail extends Dataset {
  versions: DatasetVersion[];
}

export interface Preview {
  columns: string[];
  rows: string[][];
  offset: number;
  total: number;
}

/** 202 answer of POST /datasets. */
export interface DatasetUploadAccepted {
  dataset: Dataset;
  version: DatasetVersion;
  job: Job;
}

export interface Model {
  id: string;
  name: string;
  version?: number;
  kind: string;
  status: string;
  datasetVersionId?: string | null;
  metrics?: unknown;
  createdAt: string;
}

export interface Endpoint {
  id: string;
  name: string;
  modelId: string;
  kind: string;
  status: string;
  createdAt: string;
  updatedAt?: string;
}

/** A version whose upload or import has not finished yet. */
export function isVersionPending(status: string | undefined): boolean {
  return status === 'uploading' || status === 'importing';
}
