/**
 * Follows a job until it ends, drawing a progress bar on stderr (only on a terminal and without
 * --json). In-process (the embedded store) the queue's own events say when it ends and how far it is, so the command
 * goes on the moment it ends. Over HTTP it polls: the period starts at 20 ms and grows to 250 ms (plenty for
 * humans): a short job (an import, a small train) is seen ending tens of ms after it does rather than up to 250 ms
 * later, and a long one still costs 4 requests a second. Either way the job returned is the API's own GET of it.
 */
import cliProgress from 'cli-progress';
import type { Job } from '../jobs/types.ts';
import { expectOk } from './output.ts';
import type { Transport } from './transport.ts';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

export async function followJob(t: Transport, jobId: string, options: { quiet?: boolean; label?: string } = {}): Promise<Job> {
  const showBar = !options.quiet && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: `${options.label ?? 'job'} [{bar}] {percentage}% | {eta_formatted} left | {message}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(100, 0, { message: 'queued' });
  let onSigint: (() => void) | undefined;
  if (!options.quiet) {
    // Ctrl-C cancels the job rather than leaving it running unseen.
    onSigint = () => {
      void t.request('POST', `/api/v1/jobs/${jobId}/cancel`).finally(() => process.stderr.write('\ncancelling…\n'));
    };
    process.once('SIGINT', onSigint);
  }
  try {
    if (t.waitForJob) {
      const first = expectOk<Job>(await t.request('GET', `/api/v1/jobs/${jobId}`));
      if (!TERMINAL.has(first.status)) await t.waitForJob(jobId, (e) => bar?.update(Math.round(e.progress * 100), { message: e.message || e.status }));
    }
    for (let wait = FIRST_POLL_MS; ; wait = Math.min(MAX_POLL_MS, wait * 1.5)) {
      const job = expectOk<Job>(await t.request('GET', `/api/v1/jobs/${jobId}`));
      bar?.update(Math.round(job.progress * 100), { message: job.message || job.status });
      if (TERMINAL.has(job.status)) {
        bar?.stop();
        return job;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    if (onSigint) process.removeListener('SIGINT', onSigint);
  }
}
