import type { Command } from 'commander';
import type { Job, JobLogLine } from '../jobs/types.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { followJob } from './progress.ts';
import { withTransport } from './session.ts';

function jobRow(j: Job) {
  return [j.id, j.type, j.status, `${Math.round(j.progress * 100)}%`, j.message, j.createdAt, j.error?.code ?? ''];
}

export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('List, inspect, follow and cancel jobs');

  jobs
    .command('list')
    .option('--status <status>', 'queued|running|succeeded|failed|cancelled')
    .option('--type <type>', 'job type, e.g. datasets.import')
    .option('--limit <n>', 'page size', '50')
    .action(async (o: { status?: string; type?: string; limit: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const q = new URLSearchParams({ limit: o.limit, ...(o.status ? { status: o.status } : {}), ...(o.type ? { type: o.type } : {}) });
        const page = expectOk<{ items: Job[] }>(await t.request('GET', `/api/v1/jobs?${q}`));
        if (g.json) printJson(page);
        else printTable(['id', 'type', 'status', 'progress', 'message', 'created', 'error'], page.items.map(jobRow));
      }),
    );

  jobs.command('show <id>').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const job = expectOk<Job>(await t.request('GET', `/api/v1/jobs/${encodeURIComponent(id)}`));
      if (g.json) printJson(job);
      else printTable(['id', 'type', 'status', 'progress', 'message', 'created', 'error'], [jobRow(job)]);
    }),
  );

  jobs.command('logs <id>').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const logs = expectOk<{ items: JobLogLine[] }>(await t.request('GET', `/api/v1/jobs/${encodeURIComponent(id)}/logs`));
      if (g.json) printJson(logs);
      else for (const l of logs.items) process.stdout.write(`${l.at} ${l.level.padEnd(5)} ${l.message}\n`);
    }),
  );

  jobs.command('cancel <id>').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const job = expectOk<Job>(await t.request('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`));
      if (g.json) printJson(job);
      else process.stdout.write(`${job.id} ${job.status}\n`);
    }),
  );

  jobs.command('wait <id>').description('Follow a job with a progress bar until it ends; exit 1 if it failed').action(
    async (id: string, _o: unknown, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const job = await followJob(t, id, { quiet: g.json === true, label: id });
        if (g.json) printJson(job);
        else process.stdout.write(`${job.id} ${job.status}${job.error ? `: ${job.error.code} ${job.error.message}` : ''}\n`);
        if (job.status !== 'succeeded') throw new CliError(job.error?.code ?? 'JOB_' + job.status.toUpperCase(), job.error?.message ?? `job ${job.status}`, 1);
      }),
  );
}
