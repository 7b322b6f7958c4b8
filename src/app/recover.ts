/**
 * Start-up recovery after a crash (kill -9, power loss), run by `serve` and `worker` before they take work:
 *  1. jobs claimed by a process on this host that is gone: re-queued when idempotent, else failed INTERRUPTED
 *     (jobs/base.ts recoverOrphans; others still wait for the heartbeat lease);
 *  2. model versions left `training` whose job is over or gone: `failed`, with the reason;
 *  3. dataset versions left `uploading` by a dead process or `importing` without a live job: removed, with
 *     their temp files;
 *  4. temp files of the local artifact store not written for 6 h (a writer that died elsewhere).
 * Each step logs one line when it fixed something. Safe to run while other processes work on the same data.
 */
import { DbJobQueue } from '../jobs/base.ts';
import { removeTempFiles } from '../domains/datasets/index.ts';
import type { AppContext } from './context.ts';

const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

export interface RecoveryReport {
  jobs: { requeued: number; failed: number; cancelled: number } | null;
  models: number;
  datasets: { uploads: number; imports: number; tempFiles: number };
  staleTempFiles: number;
}

export async function recoverAtStartup(ctx: Pick<AppContext, 'queue' | 'services' | 'artifacts' | 'logger'>): Promise<RecoveryReport> {
  const jobs = ctx.queue instanceof DbJobQueue ? await ctx.queue.recoverOrphans() : null;
  const models = await ctx.services.models.failOrphans();
  let modelTemp = 0;
  for (const m of models) modelTemp += await removeTempFiles(ctx.artifacts, `models/${m.id}/`);
  if (models.length > 0) {
    const names = models.slice(0, 5).map((m) => `${m.name}:${m.version} (${m.reason})`).join('; ');
    ctx.logger.warn({ models: models.length, tempFiles: modelTemp }, `recovery: marked ${models.length} model version(s) left "training" as failed: ${names}`);
  }
  const datasets = await ctx.services.datasets.recover();
  const staleTempFiles = await removeTempFiles(ctx.artifacts, '', { olderThan: new Date(Date.now() - STALE_TEMP_MS) });
  if (staleTempFiles > 0) ctx.logger.warn({ tempFiles: staleTempFiles }, `recovery: deleted ${staleTempFiles} artifact temp file(s) not written for 6 h`);
  return { jobs, models: models.length, datasets, staleTempFiles };
}
