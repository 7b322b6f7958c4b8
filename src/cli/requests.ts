/**
 * Requests several command groups make the same way: start a job and follow it to its end (a failed or cancelled
 * job becomes a CliError carrying the job's code and problems), and delete a resource and say so.
 */
import type { Problem } from '../core/errors.ts';
import type { Job } from '../jobs/types.ts';
import { codeCacheCheckpoint } from './codeCache.ts';
import { CliError, expectOk, printJson } from './output.ts';
import { followJob } from './progress.ts';
import type { GlobalOptions } from './session.ts';
import type { Transport } from './transport.ts';

/** Follows job `id` (a progress bar unless quiet); throws unless it succeeded. */
export async function followJobOrThrow(t: Transport, id: string, quiet: boolean, label: string): Promise<Job> {
  const job = await followJob(t, id, { quiet, label });
  if (job.status !== 'succeeded') {
    const err = job.error as (Job['error'] & { problems?: Problem[] }) | null;
    throw new CliError(err?.code ?? `JOB_${job.status.toUpperCase()}`, err?.message ?? `${label} ${job.status}`, 1, err?.problems ?? []);
  }
  return job;
}

/** POSTs `body` to `path` (which answers 202 + a job) and follows the job; throws unless it succeeded. */
export async function runJob(t: Transport, path: string, body: unknown, quiet: boolean, label: string): Promise<Job> {
  codeCacheCheckpoint(); // before the job (training, say) runs on this thread
  const accepted = expectOk<{ job: Job }>(await t.request('POST', path, body));
  return followJobOrThrow(t, accepted.job.id, quiet, label);
}

/** DELETEs `path` (204) and reports `what` as deleted. */
export async function deleteAndReport(t: Transport, g: GlobalOptions, path: string, what: string): Promise<void> {
  const res = await t.request('DELETE', path);
  if (res.status !== 204) expectOk(res);
  if (g.json) printJson({ deleted: what });
  else process.stdout.write(`deleted ${what}\n`);
}
