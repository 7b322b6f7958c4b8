/**
 * `sagebrush pipelines apply|list|run|resume|runs|show|cancel|logs|lineage`. Scripts depend on two JSON shapes (keep them
 * exactly): `apply FILE --json` → `{name, version}`; `run NAME [--param k=v …] --wait --json` →
 * `{run, status, steps: [{name, status, worker, seconds, cached}]}`. `--wait` returns when the run has finished or
 * only waits for an approval (status `waiting`); it exits 1 when the run failed or was cancelled.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PipelineRun } from '../domains/pipelines/index.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;
const collect = (v: string, all: string[]) => [...all, v];

function parseParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CliError('VALIDATION_FAILED', `--param ${p}: write --param NAME=VALUE`, 1, [{ field: 'param', problem: `"${p}" has no NAME=`, fix: 'Write --param NAME=VALUE.' }]);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/**
 * Until the run finishes or only waits for an approval. A server's orchestrator advances it; on the embedded store
 * no orchestrator runs in this one-shot process, so the command drives this run (and only it) itself.
 */
async function followRun(t: Transport, id: string): Promise<PipelineRun> {
  // The first look is always one pass over the run (POST …/advance, harmless beside the server's orchestrator): a run
  // waiting for an approval that was just given would otherwise still read `waiting` until the server's next sweep.
  for (let first = true; ; first = false) {
    const run = expectOk<PipelineRun>(t.mode === 'embedded' || first
      ? await t.request('POST', `/api/v1/pipelines/runs/${enc(id)}/advance`)
      : await t.request('GET', `/api/v1/pipelines/runs/${enc(id)}`));
    if (run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function finish(run: PipelineRun, json: boolean | undefined): void {
  if (json) printJson(contract(run));
  else printRun(run);
  if (run.status === 'failed' || run.status === 'cancelled') throw new CliError(run.error?.code ?? 'PIPELINE_RUN_FAILED', `run ${run.id} ${run.status}${run.error ? `: ${run.error.message}` : ''}`, 1);
}

/** What started a run, in a few words: `schedule 2026-01-01T03:00:00.000Z`, `dataset-version sales v2`, `approval churn:3`… */
export function triggerLabel(t: PipelineRun['trigger']): string {
  const d = (t.detail ?? {}) as Record<string, unknown>;
  switch (t.type) {
    case 'schedule': return `schedule ${String(d.scheduledFor ?? '')}`.trim();
    case 'dataset-version': return `dataset-version ${String(d.dataset ?? '')} v${String(d.version ?? '?')}`;
    case 'approval': return `approval ${String(d.model ?? '')}:${String(d.version ?? '?')}`;
    case 'feature-records': return `feature-records ${String(d.group ?? '')} +${String(d.count ?? '?')}`;
    default: return typeof d.via === 'string' ? `${t.type} (${d.via})` : t.type;
  }
}

const contract = (r: PipelineRun) => ({ run: r.id, status: r.status, steps: r.steps.map((s) => ({ name: s.name, status: s.status, worker: s.worker, seconds: s.seconds, cached: s.cached })) });

function printRun(r: PipelineRun): void {
  process.stdout.write(`run ${r.id} of ${r.pipeline}:${r.version}: ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}\n`);
  printTable(['step', 'type', 'status', 'worker', 'seconds', 'cached', 'error'], r.steps.map((s) => [s.name, s.type, s.status, s.worker, s.seconds, s.cached ? 'yes' : '', s.error?.code]));
}

export function registerPipelineCommands(program: Command): void {
  const p = program.command('pipelines').description('Pipelines: versioned definitions, runs, step logs, lineage');

  p.command('apply <file>').description('Create or update a pipeline from a YAML/JSON file (a changed definition is a new version)').action(async (file: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const out = expectOk<{ name: string; version: number; created: boolean }>(await t.request('POST', '/api/v1/pipelines', { text: readFileSync(file, 'utf8') }));
      if (g.json) printJson({ name: out.name, version: out.version });
      else process.stdout.write(`pipeline ${out.name} version ${out.version}${out.created ? '' : ' (unchanged)'}\n`);
    }),
  );

  p.command('list').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: Array<{ name: string; latestVersion: number; updatedAt: string }> }>(await t.request('GET', '/api/v1/pipelines'));
      if (g.json) printJson(page);
      else printTable(['name', 'version', 'updated'], page.items.map((i) => [i.name, i.latestVersion, i.updatedAt]));
    }),
  );

  p.command('run <name>')
    .option('--param <k=v>', 'a parameter (repeatable)', collect, [])
    .option('--version <n>', 'run this version (default: the latest)')
    .option('--wait', 'wait until the run finishes or waits for an approval')
    .action(async (name: string, o: { param: string[]; version?: string; wait?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const body = { params: parseParams(o.param), ...(o.version ? { version: Number(o.version) } : {}) };
        let run = expectOk<PipelineRun>(await t.request('POST', `/api/v1/pipelines/${enc(name)}/runs`, body));
        // On the embedded store nothing else advances the run once this command exits: follow it here.
        if (o.wait || t.mode === 'embedded') run = await followRun(t, run.id);
        finish(run, g.json);
      }),
    );

  p.command('resume <run>')
    .description('Follow a run until it finishes or waits for an approval (on the embedded store: carry it on, e.g. after an approval)')
    .action(async (id: string, _o: unknown, cmd: Command) => withTransport(cmd, async (t, g) => finish(await followRun(t, id), g.json)));

  p.command('runs')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--limit <n>', 'page size', '50')
    .action(async (o: { pipeline?: string; limit: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const q = new URLSearchParams({ limit: o.limit, ...(o.pipeline ? { pipeline: o.pipeline } : {}) });
        const page = expectOk<{ items: PipelineRun[] }>(await t.request('GET', `/api/v1/pipelines/runs?${q}`));
        if (g.json) printJson(page);
        else printTable(['run', 'pipeline', 'status', 'trigger', 'created', 'error'], page.items.map((r) => [r.id, `${r.pipeline}:${r.version}`, r.status, triggerLabel(r.trigger), r.createdAt, r.error?.code]));
      }),
    );

  p.command('show <nameOrRun>').description('A pipeline (its latest definition) or a run (its steps)').action(async (ref: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      if (!ref.startsWith('prun_')) return printJson(expectOk(await t.request('GET', `/api/v1/pipelines/${enc(ref)}`)));
      const run = expectOk<PipelineRun>(await t.request('GET', `/api/v1/pipelines/runs/${enc(ref)}`));
      if (g.json) printJson(run);
      else printRun(run);
    }),
  );

  p.command('cancel <run>').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const run = expectOk<PipelineRun>(await t.request('POST', `/api/v1/pipelines/runs/${enc(id)}/cancel`));
      if (g.json) printJson(run);
      else process.stdout.write(`${run.id} ${run.status}\n`);
    }),
  );

  p.command('logs <run>').option('--step <name>', 'only this step').action(async (id: string, o: { step?: string }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const logs = expectOk<{ items: Array<{ step: string; at: string; level: string; message: string }> }>(
        await t.request('GET', `/api/v1/pipelines/runs/${enc(id)}/logs${o.step ? `?step=${enc(o.step)}` : ''}`),
      );
      if (g.json) printJson(logs);
      else for (const l of logs.items) process.stdout.write(`${l.at} ${l.step} ${l.level.padEnd(5)} ${l.message}\n`);
    }),
  );

  p.command('lineage <kind> <id>').description('kind: dataset-version | run | model-version | endpoint').action(async (kind: string, id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t) => printJson(expectOk(await t.request('GET', `/api/v1/pipelines/lineage?kind=${enc(kind)}&id=${enc(id)}`)))),
  );
}
