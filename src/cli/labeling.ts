/**
 * `sagebrush labeling …` — labeling and verification jobs over detection datasets: list jobs, create a labeling job
 * (unlabeled images or the feedback inbox, at most N, labelers), create a verification job, show progress, export a
 * job's results (Ground Truth, YOLO zip, COCO). Labeling itself happens in the browser editor (/labeling).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { expectOk, fromResponse, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';

interface Job {
  id: string; name: string; kind: string; dataset: string; people: string[]; total: number; createdAt: string;
  progress: { done: number; total: number; byPerson: Array<{ name: string; done: number; total: number }>; outcomes: Record<string, number> };
}

const names = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const jobPath = (id: string) => `/api/v1/labeling/jobs/${encodeURIComponent(id)}`;

function printJob(j: Job): void {
  process.stdout.write(`${j.id} · ${j.kind === 'verify' ? 'verification' : 'labeling'} job "${j.name}" on ${j.dataset} · ${j.progress.done} / ${j.progress.total} done\n`);
  printTable(['person', 'done', 'total'], j.progress.byPerson.map((p) => [p.name, p.done, p.total]));
  const outcomes = Object.entries(j.progress.outcomes).filter(([, n]) => n > 0).map(([o, n]) => `${o} ${n}`).join(', ');
  if (outcomes) process.stdout.write(`Outcomes: ${outcomes}\n`);
}

export function registerLabelingCommands(program: Command): void {
  const l = program.command('labeling').description('Labeling and verification jobs over detection datasets (the editor is in the web UI at /labeling)');

  l.command('jobs').description('List labeling and verification jobs with their progress').option('--dataset <name>', 'only this dataset').action(async (o: { dataset?: string }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const { items } = expectOk<{ items: Job[] }>(await t.request('GET', `/api/v1/labeling/jobs${o.dataset ? `?dataset=${encodeURIComponent(o.dataset)}` : ''}`));
      if (g.json) return printJson(items);
      printTable(['id', 'kind', 'name', 'dataset', 'people', 'done'], items.map((j) => [j.id, j.kind, j.name, j.dataset, j.people.join(','), `${j.progress.done}/${j.progress.total}`]));
      return undefined;
    }),
  );

  l.command('create <dataset>')
    .description('Create a labeling job over the unlabeled images (or --inbox: the feedback inbox), at most --limit images')
    .option('--inbox', 'take the feedback inbox instead of the unlabeled images')
    .option('--limit <n>', 'at most this many images (default 200)', (v) => Number(v))
    .option('--labelers <names>', 'comma-separated API token names (default: you)')
    .option('--name <name>', 'job name')
    .action(async (dataset: string, o: { inbox?: boolean; limit?: number; labelers?: string; name?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const body = { dataset, source: o.inbox ? 'inbox' : 'unlabeled', ...(o.limit ? { limit: o.limit } : {}), ...(o.labelers ? { labelers: names(o.labelers) } : {}), ...(o.name ? { name: o.name } : {}) };
        const job = expectOk<Job>(await t.request('POST', '/api/v1/labeling/jobs', body));
        if (g.json) return printJson(job);
        printJob(job);
        return undefined;
      }),
    );

  l.command('verify <job>')
    .description('Create a verification job over a labeling job\'s saved images (each goes to a verifier other than its labeler)')
    .option('--verifiers <names>', 'comma-separated API token names (default: you)')
    .action(async (id: string, o: { verifiers?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const job = expectOk<Job>(await t.request('POST', `${jobPath(id)}/verification`, o.verifiers ? { verifiers: names(o.verifiers) } : {}));
        if (g.json) return printJson(job);
        printJob(job);
        return undefined;
      }),
    );

  l.command('progress <job>').description('Progress of a job: done / total per person, outcomes').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const job = expectOk<Job>(await t.request('GET', jobPath(id)));
      if (g.json) return printJson(job);
      printJob(job);
      return undefined;
    }),
  );

  l.command('export <job>')
    .description("Export a job's results: groundtruth (manifest), yolo (zip) or coco (JSON)")
    .option('--format <format>', 'groundtruth | yolo | coco', 'groundtruth')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (id: string, o: { format: string; out: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const res = await t.request('GET', `${jobPath(id)}/export?format=${encodeURIComponent(o.format)}`);
        if (res.status >= 400) throw fromResponse(res);
        writeFileSync(o.out, res.body);
        if (g.json) return printJson({ out: o.out, bytes: res.body.length, format: o.format });
        process.stdout.write(`Wrote ${res.body.length} bytes (${o.format}) to ${o.out}\n`);
        return undefined;
      }),
    );
}
