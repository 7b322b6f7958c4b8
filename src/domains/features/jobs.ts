/** The `features.ingest-dataset` job type: a dataset version's rows as feature records (registered by createFeatureService). */
import { z } from 'zod';
import { defineJob } from '../../jobs/registry.ts';

export const FEATURES_INGEST_JOB = 'features.ingest-dataset';

export const ingestDatasetPayloadSchema = z.object({
  group: z.string().min(1).max(100),
  dataset: z.string().min(1).max(200),
  version: z.number().int().positive().optional(),
});
export type IngestDatasetPayload = z.infer<typeof ingestDatasetPayloadSchema>;

export const ingestDatasetResultSchema = z.object({
  group: z.string(),
  dataset: z.string(),
  version: z.number().int(),
  written: z.number().int(),
  onlineUpdated: z.number().int(),
  schemaVersion: z.number().int(),
});
export type IngestDatasetResult = z.infer<typeof ingestDatasetResultSchema>;

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'features.ingest-dataset': { payload: IngestDatasetPayload; result: IngestDatasetResult };
  }
}

/** Not idempotent: a re-run after a crash could append the rows twice (the append itself is one transaction). */
export const ingestDatasetJob = (deps: { ingest(payload: IngestDatasetPayload, signal?: AbortSignal): Promise<IngestDatasetResult> }) =>
  defineJob({
    type: FEATURES_INGEST_JOB,
    payload: ingestDatasetPayloadSchema,
    result: ingestDatasetResultSchema,
    async run({ job, signal, progress, log }) {
      await progress(0, `reading ${job.payload.dataset}`);
      const result = await deps.ingest(job.payload, signal);
      await log(`wrote ${result.written} records to ${result.group} (${result.onlineUpdated} online values changed)`);
      return result;
    },
  });
