/**
 * The pipelines service: apply a definition (a new version only when its canonical hash changed), start runs with
 * typed parameters (`trigger` records what started a run: the extension point for schedules and events), read and
 * cancel runs, step logs, and lineage. The orchestrator (orchestrator.ts) advances runs; `start()` begins it and the
 * trigger scheduler in the process that serves the API (`serve`: routes.ts starts them when it listens), never in
 * job worker threads, `sagebrush worker` or one-shot CLI commands.
 */
import type { Kysely } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { AppError, type Problem } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { Database } from '../../storage/schema.ts';
import { pipelineJobs, scriptPath, type PipelineDatasetsPort } from './jobs.ts';
import { lineageGraph, type LineageGraph, type LineageKind } from './lineage.ts';
import { Orchestrator } from './orchestrator.ts';
import { hashOf } from './runState.ts';
import type { PipelineDefinition, PipelineRun, PipelineVersion, Trigger } from './schema.ts';
import type { PipelineEndpointsPort, PipelineRegistryPort } from './steps.ts';
import { Scheduler, type TriggerInfo } from './scheduler.ts';
import { createPipelineStore, type NewRun } from './store.ts';
import { fitsType, validateDefinition } from './validate.ts';

export interface PipelineServiceDeps {
  db: Kysely<Database>;
  queue: JobQueue;
  logger: Logger;
  datasets: PipelineDatasetsPort;
  registry: PipelineRegistryPort;
  endpoints: PipelineEndpointsPort;
  /** Command steps run scripts from this folder only. */
  scriptsDir: string;
  sweepMs?: number;
  /** The trigger scheduler's tick (default 15 s) and clock; tests shorten and move them. */
  triggerTickMs?: number;
  clock?: () => Date;
}

export interface PipelineSummary { name: string; latestVersion: number; createdAt: string; updatedAt: string }
export interface StepLogLine { step: string; at: string; level: string; message: string }
type ParamValue = string | number | boolean;

const notFound = (name: string, version?: number) =>
  new AppError('PIPELINE_NOT_FOUND', version === undefined ? `No pipeline "${name}".` : `Pipeline "${name}" has no version ${version}.`, {
    problems: [{ field: version === undefined ? 'name' : 'version', problem: 'not found', fix: 'List pipelines with GET /api/v1/pipelines (CLI: sagebrush pipelines list); create one with pipelines apply FILE.' }],
  });
const runNotFound = (id: string) =>
  new AppError('PIPELINE_RUN_NOT_FOUND', `No pipeline run "${id}".`, { problems: [{ field: 'run', problem: 'not found', fix: 'List runs with GET /api/v1/pipelines/runs (CLI: sagebrush pipelines runs).' }] });

/** A definition file's text (YAML or JSON, YAML being a superset) as a value. */
export function parseDefinitionText(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new AppError('PIPELINE_INVALID', `The pipeline file is not valid YAML or JSON: ${(err as Error).message}`, {
      problems: [{ field: '(file)', problem: (err as Error).message, fix: 'Fix the YAML/JSON syntax at the position named.' }],
    });
  }
}

export function createPipelineService(deps: PipelineServiceDeps) {
  const store = createPipelineStore(deps.db);
  for (const job of pipelineJobs({ datasets: deps.datasets, scriptsDir: deps.scriptsDir })) deps.queue.register(job);
  const orchestrator = new Orchestrator({ store, queue: deps.queue, registry: deps.registry, endpoints: deps.endpoints, logger: deps.logger, sweepMs: deps.sweepMs });
  const scheduler = new Scheduler({
    db: deps.db, store, logger: deps.logger, tickMs: deps.triggerTickMs, now: deps.clock,
    prepareRun: (name, params, trigger) => api.prepareRun(name, params, trigger),
    started: (id) => void orchestrator.advance(id),
  });
  const definitions = () => new Map(deps.queue.definitions().map((d) => [d.type, d]));

  async function requireVersion(name: string, version?: number) {
    const v = await store.version(name, version);
    if (!v) throw notFound(name, version);
    return v;
  }

  function bindParams(def: PipelineDefinition, given: Record<string, unknown>): Record<string, ParamValue> {
    const problems: Problem[] = [];
    const out: Record<string, ParamValue> = {};
    for (const k of Object.keys(given)) {
      if (!(k in def.parameters)) problems.push({ field: `params.${k}`, problem: `unknown parameter "${k}"`, fix: `Use one of: ${Object.keys(def.parameters).join(', ') || '(this pipeline has none)'}.` });
    }
    for (const [k, p] of Object.entries(def.parameters)) {
      let v = given[k] ?? p.default;
      if (v === undefined) {
        problems.push({ field: `params.${k}`, problem: 'required (no default)', fix: `Pass --param ${k}=VALUE.` });
        continue;
      }
      if (typeof v === 'string' && (p.type === 'number' || p.type === 'integer') && v.trim() !== '') v = Number(v);
      if (typeof v === 'string' && p.type === 'boolean' && ['true', 'false'].includes(v)) v = v === 'true';
      if (!fitsType(v, p.type)) problems.push({ field: `params.${k}`, problem: `${JSON.stringify(given[k] ?? p.default)} is not a ${p.type}`, fix: `Pass a ${p.type}.` });
      else out[k] = v as ParamValue;
    }
    if (problems.length > 0) throw new AppError('PIPELINE_PARAM_INVALID', `Invalid parameters: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
    return out;
  }

  const api = {
    store,
    /** Validates and stores a definition: the same canonical definition as the latest version keeps that version. */
    async apply(input: unknown): Promise<{ name: string; version: number; created: boolean }> {
      const def = validateDefinition(input, definitions());
      const scripts = def.steps.flatMap((s) => (s.type === 'command' ? [s] : []));
      const problems = scripts.flatMap((s) => {
        try {
          scriptPath(deps.scriptsDir, s.script);
          return [];
        } catch (err) {
          return [{ field: `steps.${s.name}.script`, problem: (err as AppError).problems?.[0]?.problem ?? String(err), fix: 'Put the script in the pipeline scripts folder (SAGEBRUSH_PIPELINE_SCRIPTS_DIR) and give its path relative to it.' }];
        }
      });
      if (problems.length > 0) throw new AppError('PIPELINE_INVALID', `The pipeline definition is invalid: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
      const hash = hashOf(def);
      const latest = await store.version(def.name);
      if (latest?.hash === hash) return { name: def.name, version: latest.version, created: false };
      return { name: def.name, version: await store.addVersion(def.name, hash, def), created: true };
    },
    async list(): Promise<PipelineSummary[]> {
      return (await store.list()).map((p) => ({ name: p.name, latestVersion: p.latest_version, createdAt: p.created_at, updatedAt: p.updated_at }));
    },
    async get(name: string, version?: number): Promise<PipelineVersion> {
      const { id: _id, pipelineId: _p, ...v } = await requireVersion(name, version);
      return v;
    },
    async versions(name: string): Promise<PipelineVersion[]> {
      const list = await store.versions(name);
      if (list.length === 0) throw notFound(name);
      return list;
    },
    /** Starts a run of the latest (or given) version; `trigger` records what started it (manual, schedule, event…). */
    async startRun(name: string, params: Record<string, unknown> = {}, trigger: Trigger = { type: 'manual' }, version?: number): Promise<PipelineRun> {
      const id = await store.createRun(await this.prepareRun(name, params, trigger, version));
      void orchestrator.advance(id);
      return this.getRun(id);
    },
    /** What startRun inserts: the version's steps and the params bound to their types (PIPELINE_PARAM_INVALID otherwise). */
    async prepareRun(name: string, params: Record<string, unknown>, trigger: Trigger, version?: number): Promise<NewRun> {
      const v = await requireVersion(name, version);
      return { pipelineId: v.pipelineId, versionId: v.id, params: bindParams(v.definition, params), trigger, steps: v.definition.steps };
    },
    async getRun(id: string): Promise<PipelineRun> {
      const row = await store.runRow(id);
      if (!row) throw runNotFound(id);
      return store.toRun(row);
    },
    async listRuns(q: { pipeline?: string; limit?: number; cursor?: string } = {}): Promise<{ items: PipelineRun[]; nextCursor: string | null }> {
      const pipelineId = q.pipeline ? (await store.findPipeline(q.pipeline))?.id : undefined;
      if (q.pipeline && !pipelineId) throw notFound(q.pipeline);
      const page = await store.runs({ pipelineId, limit: q.limit, cursor: q.cursor });
      return { items: await Promise.all(page.items.map((r) => store.toRun(r))), nextCursor: page.nextCursor };
    },
    async cancelRun(id: string): Promise<PipelineRun> {
      const run = await this.getRun(id);
      if (!['running', 'waiting'].includes(run.status)) {
        throw new AppError('PIPELINE_RUN_FINISHED', `Run ${id} is already ${run.status}.`, { problems: [{ field: 'run', problem: `already ${run.status}`, fix: 'Only a running or waiting run can be cancelled.' }] });
      }
      await store.requestCancel(id);
      await orchestrator.advance(id);
      return this.getRun(id);
    },
    /** Step logs: the orchestrator's lines for the step and its job's log, in order. */
    async logs(id: string, step?: string): Promise<StepLogLine[]> {
      const run = await this.getRun(id);
      const steps = step ? run.steps.filter((s) => s.name === step) : run.steps;
      if (step && steps.length === 0) throw new AppError('PIPELINE_RUN_NOT_FOUND', `Run ${id} has no step "${step}".`, { problems: [{ field: 'step', problem: 'no such step', fix: `Use one of: ${run.steps.map((s) => s.name).join(', ')}.` }] });
      const rows = await store.steps(id);
      const out: StepLogLine[] = [];
      for (const s of steps) {
        const own = JSON.parse(rows.find((r) => r.name === s.name)!.logs_json) as Array<{ at: string; level: string; message: string }>;
        const job = s.jobId ? await deps.queue.logs(s.jobId).catch(() => []) : [];
        out.push(...[...own, ...job].sort((a, b) => a.at.localeCompare(b.at)).map((l) => ({ step: s.name, at: l.at, level: l.level, message: l.message })));
      }
      return out;
    },
    /** Resolves when the run ends, or (untilWaiting) when it only waits for approvals. */
    async waitRun(id: string, options: { timeoutMs?: number; untilWaiting?: boolean } = {}): Promise<PipelineRun> {
      const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
      for (;;) {
        const run = await this.getRun(id);
        if (['succeeded', 'failed', 'cancelled'].includes(run.status) || (options.untilWaiting && run.status === 'waiting')) return run;
        if (Date.now() > deadline) throw new AppError('PIPELINE_WAIT_TIMEOUT', `Run ${id} is still ${run.status}.`, { problems: [{ field: 'wait', problem: 'timed out', fix: 'Wait longer, or follow it with pipelines show RUN.' }] });
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    lineage: (kind: LineageKind, id: string): Promise<LineageGraph> => lineageGraph(store, kind, id),
    /** The triggers of the latest version: their last firing and, for a schedule, the next fire time. */
    async triggers(name: string): Promise<TriggerInfo[]> {
      const v = await requireVersion(name);
      return scheduler.info(v.pipelineId, v.definition.triggers);
    },
    /** Checks every trigger now (the scheduler does this each tick). */
    checkTriggers: () => scheduler.tick(),
    async start() {
      await orchestrator.start();
      await scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await orchestrator.stop();
    },
    advance: (id: string) => orchestrator.advance(id),
    /** One pass over a run (guarded like every transition, so harmless beside a running orchestrator); the run after it. */
    async advanceRun(id: string): Promise<PipelineRun> {
      await this.getRun(id);
      await orchestrator.advance(id);
      return this.getRun(id);
    },
  };
  return api;
}

export type PipelineService = ReturnType<typeof createPipelineService>;
