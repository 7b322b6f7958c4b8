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
  code?: string;
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

/** Comprehend-style classification metrics (`ModelVersion.metrics`, `metrics.json`). */
export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  auc?: number | null;
}

export interface TextMetrics {
  mode?: 'multi-class' | 'multi-label';
  labels?: string[];
  accuracy?: number;
  precision_macro?: number;
  recall_macro?: number;
  macro_f1?: number;
  micro_precision?: number;
  micro_recall?: number;
  micro_f1?: number;
  hamming_loss?: number;
  mean_auc?: number | null;
  per_label?: Record<string, LabelMetrics>;
  /** multi-class: N×N (rows actual, columns predicted); multi-label: one [[TN,FP],[FN,TP]] per label. Only in metrics.json. */
  confusion_matrix?: number[][] | number[][][];
  n_train?: number;
  n_test?: number;
  n_documents?: number;
  train_seconds?: number;
}

/** One version of a model in the registry. */
export interface ModelVersion {
  id: string;
  name: string;
  version: number;
  kind: string;
  /** training | ready | failed */
  status: string;
  datasetVersionId?: string | null;
  jobId?: string | null;
  params?: {
    mode?: 'multi-class' | 'multi-label';
    labels?: string[];
    format?: string;
    delimiter?: string;
    options?: Record<string, unknown>;
    split?: { kind?: string; testFraction?: number; seed?: number; testRows?: number[]; [k: string]: unknown };
    [k: string]: unknown;
  };
  metrics?: TextMetrics | null;
  artifacts?: Record<string, string>;
  meta?: { warnings?: Problem[]; [k: string]: unknown } | null;
  createdAt: string;
}

export interface Endpoint {
  id: string;
  name: string;
  modelId: string;
  /** The model version it serves (null when that version is gone). */
  model?: { name: string; version: number; kind: string } | null;
  kind: string;
  config?: Record<string, unknown>;
  status: string;
  createdAt: string;
  updatedAt?: string;
}

export interface ClassScore {
  Name: string;
  Score: number;
}

/** POST /endpoints/{name}/classify with {Text}: Classes (multi-class) or Labels (multi-label). */
export interface ClassifyResult {
  Classes?: ClassScore[];
  Labels?: ClassScore[];
  Predicted?: string[] | string | null;
}

export type TextMode = 'multi-class' | 'multi-label';
export type TextFormat = 'auto' | 'comprehend-csv' | 'wide-csv' | 'jsonl' | 'augmented-manifest';

export interface TrainOptions {
  wordNgram?: [number, number];
  charNgram?: [number, number];
  minDf?: number;
  maxWordFeatures?: number;
  maxCharFeatures?: number;
  C?: number;
  classWeight?: 'none' | 'balanced';
  maxEpochs?: number;
}

/** Body of POST /text/classifiers. */
export interface TrainRequest {
  name: string;
  dataset: string;
  datasetVersion?: number;
  mode: TextMode;
  format?: TextFormat;
  delimiter?: string;
  textColumn?: string;
  labelColumns?: string[];
  noneLabel?: string;
  testDataset?: string;
  testDatasetVersion?: number;
  testFraction?: number;
  seed?: number;
  options?: TrainOptions;
}

/** POST /text/classifiers/check: the training request's data part. */
export type TrainingCheckRequest = Omit<TrainRequest, 'name' | 'testFraction' | 'seed' | 'options'>;

/** Its answer: would training pass Comprehend's data rules? (errors first, then warnings) */
export interface TrainingCheck {
  ok: boolean;
  dataset: { ref: string; version: number };
  mode: TextMode;
  format: TextFormat;
  documents: number;
  labels: Array<{ label: string; count: number }>;
  errors: number;
  warnings: number;
  problems: Problem[];
}

/** `result` of a succeeded text.train job. */
export interface TrainJobResult {
  model: { id: string; name: string; version: number };
  metrics?: TextMetrics;
  train_seconds?: number;
  warnings?: Problem[];
}

/** `result` of a succeeded text.batch job. */
export interface BatchJobResult {
  documents: number;
  errors: number;
  outputKey?: string;
  outputTarKey?: string;
}

export type BatchInputFormat = 'one-doc-per-line' | 'one-doc-per-file' | 'csv';

/** A version whose upload or import has not finished yet. */
export function isVersionPending(status: string | undefined): boolean {
  return status === 'uploading' || status === 'importing';
}
