/**
 * The API's types, taken from the server (one source): each domain's zod schemas (`z.infer` for answers, `z.input`
 * for request bodies, since defaults make fields optional) or its service's result types. Type-only imports: they
 * are erased at build time, so no server code reaches the bundle, and `npm run typecheck` fails when the UI reads a
 * field the server no longer sends. JSON documents whose shape belongs to a model kind (ModelVersion params,
 * metrics, meta) stay loose and are read defensively by the pages that use them.
 */
import type { z } from 'zod';
import type { Problem } from '../../../src/core/errors.ts';
import type { ProblemBody as ServerProblemBody } from '../../../src/core/http/problem.ts';
import type { Job as ServerJob, JobEvent, JobLogLine, JobStatus } from '../../../src/jobs/types.ts';
import type { Page } from '../../../src/storage/pagination.ts';
import type { Dataset, DatasetUploadAccepted, DatasetVersion, DatasetWithVersions, formatOptionSchema, Preview } from '../../../src/domains/datasets/schema.ts';
import type { ClassificationReport, LabelMetrics } from '../../../src/domains/classifiers/evaluate.ts';
import type { ModelVersion as ServerModelVersion } from '../../../src/domains/models/store.ts';
import type { Endpoint } from '../../../src/domains/endpoints/service.ts';
import type { ClassificationResult, NameScore } from '../../../src/domains/text/comprehend.ts';
import type { TrainingCheck } from '../../../src/domains/text/check.ts';
import type { TrainResult } from '../../../src/domains/text/train.ts';
import type { BatchResult } from '../../../src/domains/text/batch.ts';
import type {
  BatchInputFormat,
  textFormatSchema,
  textModeSchema,
  trainingCheckRequestSchema,
  trainOptionsSchema,
  trainRequestSchema,
} from '../../../src/domains/text/schema.ts';

export type { BatchInputFormat, Dataset, DatasetUploadAccepted, DatasetVersion, Endpoint, JobEvent, JobLogLine, JobStatus, LabelMetrics, Page, Preview, Problem, TrainingCheck };

/**
 * application/problem+json body as the client sees it: the client makes its own codes (HTTP_502, FHIR issue
 * text) for answers that are not problem+json, so `code` is any string and the rest may be missing.
 */
export type ProblemBody = Partial<Pick<ServerProblemBody, 'type' | 'title' | 'status' | 'requestId' | 'instance' | 'problems'>> & { code: string; detail: string };

export type Job = ServerJob;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export type DatasetFormat = z.infer<typeof formatOptionSchema>;
export type DatasetDetail = DatasetWithVersions;

/** Classification metrics (`ModelVersion.metrics`, `metrics.json`): the report plus what training adds. */
export type TextMetrics = Partial<ClassificationReport> & { n_train?: number; n_test?: number; train_seconds?: number };

/** One version of a model in the registry; params/metrics/meta are the kind's own JSON, read defensively. */
export interface ModelVersion extends Omit<ServerModelVersion, 'params' | 'metrics' | 'meta'> {
  params?: {
    mode?: TextMode;
    labels?: string[];
    format?: string;
    delimiter?: string;
    options?: Record<string, unknown>;
    split?: { kind?: string; testFraction?: number; seed?: number; testRows?: number[]; [k: string]: unknown };
    [k: string]: unknown;
  };
  metrics?: TextMetrics | null;
  meta?: { warnings?: Problem[]; [k: string]: unknown } | null;
}

export type ClassScore = NameScore;
/** POST /endpoints/{name}/classify with {Text}: Classes (multi-class) or Labels (multi-label). */
export type ClassifyResult = ClassificationResult;

export type TextMode = z.infer<typeof textModeSchema>;
export type TextFormat = z.infer<typeof textFormatSchema>;
export type TrainOptions = NonNullable<z.input<typeof trainOptionsSchema>>;
/** Body of POST /text/classifiers. */
export type TrainRequest = z.input<typeof trainRequestSchema>;
/** POST /text/classifiers/check: the training request's data part. */
export type TrainingCheckRequest = z.input<typeof trainingCheckRequestSchema>;
/** `result` of a succeeded text.train job. */
export type TrainJobResult = TrainResult;
/** `result` of a succeeded text.batch job. */
export type BatchJobResult = BatchResult;

/** A version whose upload or import has not finished yet. */
export function isVersionPending(status: string | undefined): boolean {
  return status === 'uploading' || status === 'importing';
}
