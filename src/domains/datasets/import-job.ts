/**
 * The `datasets.import` job: detects, validates and profiles an uploaded version, then marks it
 * `ready`, or, on a fatal problem, deletes the version (row and artifacts; the dataset too when it
 * has no other version) and fails with the problem's code. Safe to re-run after an interruption.
 */
import { z } from 'zod';
import type { Config } from '../../core/config.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import { defineJob, type JobDefinitionOf } from '../../jobs/registry.ts';
import type { JobContext, JobQueue } from '../../jobs/types.ts';
import { describe } from './validate.ts';
import { importFile } from './formats/index.ts';
import { DEFAULT_LIMITS, type FormatOption, type HeaderOption, type ImportLimits } from './formats/types.ts';
import { versionMeta, type DatasetStore, type VersionRow } from './store.ts';
import { PARSE_CACHE_MAX_FILE_BYTES, type ParseCache } from './parse-cache.ts';

export const IMPORT_JOB = 'datasets.import' as const;

const payloadSchema = z.object({ datasetId: z.string().min(1), versionId: z.string().min(1) });
export type ImportPayload = z.infer<typeof payloadSchema>;

export const importJobResultSchema = z.object({
  datasetId: z.string(),
  versionId: z.string(),
  version: z.number().int(),
  format: z.string(),
  rowCount: z.number().int(),
  warnings: z.number().int().describe('Problems kept as warnings on the version'),
});
export type ImportJobResult = z.infer<typeof importJobResultSchema>;

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'datasets.import': { payload: ImportPayload; result: ImportJobResult };
  }
}

export interface ImportDeps {
  config: Config;
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  store: DatasetStore;
  /** Where a CSV's records are kept for the next reader in this process (absent: not kept). */
  parseCache?: ParseCache;
}

export function importLimits(config: Config): ImportLimits {
  return { ...DEFAULT_LIMITS, maxArchiveBytes: config.maxArchiveBytes };
}

export function versionPrefix(row: Pick<VersionRow, 'dataset_id' | 'version'>): string {
  return `datasets/${row.dataset_id}/v${row.version}/`;
}

/** Deletes a version's artifacts, then its row (and the dataset row when no version is left). */
export async function purgeVersion(deps: Pick<ImportDeps, 'artifacts' | 'store'>, row: VersionRow): Promise<void> {
  // Artifacts first: while the row exists its version number cannot be reused by another upload.
  await deps.artifacts.deletePrefix(versionPrefix(row));
  const datasetGone = await deps.store.deleteVersion(row);
  if (datasetGone) await deps.artifacts.deletePrefix(`datasets/${row.dataset_id}/`);
}

export function importJob(deps: ImportDeps): JobDefinitionOf<typeof IMPORT_JOB> {
  const { store, artifacts } = deps;
  return defineJob({
    type: IMPORT_JOB,
    idempotent: true,
    payload: payloadSchema,
    result: importJobResultSchema,
    async run(ctx: JobContext<ImportPayload>): Promise<ImportJobResult> {
      const row = await store.versionById(ctx.job.payload.versionId);
      if (!row) throw new AppError('DATASET_NOT_FOUND', `Dataset version ${ctx.job.payload.versionId} was deleted before its import ran.`);
      if (row.status === 'ready') return resultOf(row, JSON.parse(row.problems_json).length);
      const meta = versionMeta(row);
      await ctx.log(`Importing ${row.file_name} (${row.size_bytes} bytes) as version ${row.version}`);
      try {
        const result = await importFile({
          open: () => artifacts.getStream(row.artifact_key),
          localPath: () => artifacts.localPath(row.artifact_key),
          fileName: row.file_name,
          sizeBytes: Number(row.size_bytes),
          format: (meta.requestedFormat ?? 'auto') as FormatOption,
          header: (meta.header ?? 'auto') as HeaderOption,
          limits: importLimits(deps.config),
          signal: ctx.signal,
          onProgress: (fraction, message) => ctx.progress(fraction * 0.99, message),
          keepRecords: deps.parseCache !== undefined && Number(row.size_bytes) <= PARSE_CACHE_MAX_FILE_BYTES,
        });
        for (const s of result.sidecars ?? []) await artifacts.put(`${versionPrefix(row)}${s.name}`, s.body);
        const ok = await store.markReady(
          row,
          {
            format: result.format,
            row_count: result.rowCount,
            schema_json: JSON.stringify(result.schema),
            stats_json: JSON.stringify(result.stats),
            problems_json: JSON.stringify(result.problems),
            meta_json: JSON.stringify({ ...meta, importJobId: ctx.job.id }),
          },
          { kind: result.kind, description: meta.description },
        );
        if (!ok) throw new AppError('DATASET_NOT_FOUND', `Dataset version ${row.id} was deleted while it was importing.`);
        if (result.records) deps.parseCache?.put(row.sha256, Number(row.size_bytes), result.records);
        for (const p of result.problems.slice(0, 20)) await ctx.log(`warning: ${describe(p)}. Fix: ${p.fix}`, 'warn');
        await ctx.progress(1, `${result.rowCount} ${result.kind === 'images' ? 'images' : 'rows'} imported`);
        return resultOf({ ...row, format: result.format, row_count: result.rowCount }, result.problems.length);
      } catch (err) {
        if (ctx.signal.aborted && !(await cancelRequested(deps.queue, ctx.job.id))) {
          // Worker shutdown or takeover: the job is re-queued (or finished elsewhere); keep the upload.
          throw err;
        }
        await purgeVersion(deps, row).catch((e) => deps.logger.error({ err: e, versionId: row.id }, 'could not delete a failed dataset version'));
        if (isAppError(err)) for (const p of (err.problems ?? []).slice(0, 20)) await ctx.log(`${describe(p)}. Fix: ${p.fix}`, 'error');
        throw err;
      }
    },
  });
}

async function cancelRequested(queue: JobQueue, jobId: string): Promise<boolean> {
  try {
    const job = await queue.get(jobId);
    return job.cancelRequested || job.status === 'cancelled';
  } catch {
    return false;
  }
}

function resultOf(row: Pick<VersionRow, 'dataset_id' | 'id' | 'version' | 'format' | 'row_count'>, warnings: number): ImportJobResult {
  return { datasetId: row.dataset_id, versionId: row.id, version: Number(row.version), format: row.format, rowCount: Number(row.row_count), warnings };
}
