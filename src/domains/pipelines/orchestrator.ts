/**
 * Advances pipeline runs. All state is in the step rows (status, job id, attempts, cache key, outputs), so any
 * process can pick a run up: `advance(runId)` is called on queue events, on a periodic sweep and once at start-up
 * (which resumes runs a crash left behind). Every transition is a guarded UPDATE (`… WHERE status IN (…)`), so two
 * orchestrators never start a step twice, and a finished step (its outputs stored) is never run again.
 *
 * Crash rules: a job step whose job was running is decided by the job queue's own recovery (re-queued when the job
 * type is idempotent, else failed INTERRUPTED → the step fails PIPELINE_STEP_INTERRUPTED); a job step claimed but not
 * yet enqueued by a dead process is re-started only when its job type is idempotent; an inline step is re-run.
 */
import type { Logger } from '../../core/logger.ts';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import { ownerIsDead, SELF_OWNER_JSON } from '../../jobs/owner.ts';
import type { Job, JobQueue, JobType } from '../../jobs/types.ts';
import { MissingRefError, resolveRefs } from './refs.ts';
import { isJobStep, TERMINAL_STEP, type PipelineDefinition, type StepDefinition, type StepError, type StepStatus } from './schema.ts';
import { runInline, type PipelineEndpointsPort, type PipelineRegistryPort } from './steps.ts';
import type { PipelineStore, StepRow } from './store.ts';
import { dependenciesOf } from './validate.ts';
import { hashOf, offBranch, ready, scope, workerOf } from './runState.ts';

export interface OrchestratorDeps {
  store: PipelineStore;
  queue: JobQueue;
  registry: PipelineRegistryPort;
  endpoints: PipelineEndpointsPort;
  logger: Logger;
  sweepMs?: number;
}

const NOT_RETRIED = new Set(['VALIDATION_FAILED', 'JOB_TYPE_UNKNOWN', 'PIPELINE_STEP_INTERRUPTED', 'PIPELINE_REF_MISSING', 'PIPELINE_APPROVAL_REJECTED', 'PIPELINE_FAIL_STEP']);

export class Orchestrator {
  private readonly chains = new Map<string, { running: Promise<void>; again: boolean }>();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  constructor(private readonly deps: OrchestratorDeps) {}

  async start(): Promise<void> {
    if (this.timer) return;
    this.unsubscribe = this.deps.queue.subscribe((e) => {
      if (!['succeeded', 'failed', 'cancelled'].includes(e.status)) return;
      void this.deps.store.runIdOfJob(e.jobId).then(async (id) => { if (id) await this.advance(id); }).catch(() => undefined);
    });
    this.timer = setInterval(() => void this.sweep(), this.deps.sweepMs ?? 1000).unref();
    await this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await Promise.all([...this.chains.values()].map((c) => c.running));
  }

  async sweep(): Promise<void> {
    try {
      for (const id of await this.deps.store.activeRunIds()) await this.advance(id);
    } catch (err) {
      this.deps.logger.warn({ err }, 'pipelines: sweep failed');
    }
  }

  /** Advances one run; calls for the same run are serialised (one more pass is queued when a call comes in). */
  advance(runId: string): Promise<void> {
    const chain = this.chains.get(runId);
    if (chain) {
      chain.again = true;
      return chain.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      do {
        entry.again = false;
        await this.pass(runId).catch((err: unknown) => this.deps.logger.error({ err, runId }, 'pipelines: advancing a run failed'));
      } while (entry.again);
      this.chains.delete(runId);
    })();
    this.chains.set(runId, entry);
    return entry.running;
  }

  private async pass(runId: string): Promise<void> {
    const { store } = this.deps;
    const run = await store.runRow(runId);
    if (!run || !['running', 'waiting'].includes(run.status)) return;
    const version = await store.versionById(run.version_id);
    const def = version.definition;
    const stepDef = (name: string) => def.steps.find((s) => s.name === name)!;
    if (run.cancel_requested) return this.cancelRun(runId);
    for (const row of await store.steps(runId)) {
      if (row.status === 'running' || row.status === 'starting') await this.reconcile(row, stepDef(row.name), runId);
      else if (row.status === 'waiting') await this.startInline(row, stepDef(row.name), runId, version.name, run.params_json);
    }
    let rows = await store.steps(runId);
    const failed = rows.find((r) => r.status === 'failed');
    for (const row of rows.filter((r) => r.status === 'pending')) {
      const s = stepDef(row.name);
      const deps = dependenciesOf(s, def).map((n) => rows.find((r) => r.name === n)!);
      if (failed || deps.some((d) => ['skipped', 'failed', 'cancelled'].includes(d.status)) || offBranch(s, def, rows)) {
        await store.moveStep(row.id, ['pending'], { status: 'skipped', finished_at: nowIso() });
        continue;
      }
      if (!deps.every((d) => d.status === 'succeeded') || (row.not_before && row.not_before > nowIso())) continue;
      if (isJobStep(s) || s.type === 'command') await this.startJob(row, s, runId, version, run.params_json, rows);
      else await this.startInline(row, s, runId, version.name, run.params_json);
      rows = await store.steps(runId);
    }
    rows = await store.steps(runId);
    if (rows.some((r) => r.status === 'pending' && !r.not_before && ready(stepDef(r.name), def, rows))) return void this.advanceSoon(runId);
    await this.settle(runId, rows);
  }

  private advanceSoon(runId: string): void {
    setImmediate(() => void this.advance(runId));
  }

  private async startJob(row: StepRow, s: StepDefinition, runId: string, version: { name: string; definition: PipelineDefinition }, paramsJson: string, rows: StepRow[]): Promise<void> {
    const { store, queue } = this.deps;
    let payload: unknown;
    try {
      payload = resolveRefs(s.type === 'command' ? { script: s.script, inputs: s.inputs, outputs: s.outputs, timeoutSeconds: s.timeoutSeconds, ...(s.idempotent ? { idempotent: true } : {}) } : (s as { inputs: unknown }).inputs, scope(paramsJson, rows));
    } catch (err) {
      if (!(err instanceof MissingRefError)) throw err;
      return this.fail(row, s, { code: 'PIPELINE_REF_MISSING', message: err.message });
    }
    const jobType = (s.type === 'command' ? 'pipelines.command' : (s as { jobType: string }).jobType) as JobType;
    const cacheable = s.cache && jobType !== 'pipelines.dataset-version';
    const key = cacheable ? hashOf({ type: s.type, jobType, payload }) : null;
    const pipelineId = (await store.findPipeline(version.name))!.id;
    const hit = key ? await store.cacheHit(pipelineId, key) : undefined;
    if (hit) {
      const now = nowIso();
      if (await store.moveStep(row.id, ['pending'], { status: 'succeeded', cached: 1, cache_key: key, outputs_json: hit.outputs_json, started_at: now, finished_at: now })) {
        await store.addLog(row.id, `cached: outputs reused from run ${hit.run_id}`);
        await this.lineage(runId, s, JSON.parse(hit.outputs_json ?? 'null'));
      }
      return;
    }
    // The job id is recorded before the enqueue, so after a crash in between the step knows whether its job exists.
    const jobId = newId('job');
    if (!(await store.moveStep(row.id, ['pending'], { status: 'starting', owner: SELF_OWNER_JSON, job_id: jobId, attempts: row.attempts + 1, cache_key: key, started_at: nowIso(), not_before: null }))) return;
    let job: Job;
    try {
      job = await queue.enqueue(jobType, payload as never, { id: jobId });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message);
      return this.fail({ ...row, status: 'starting', attempts: row.attempts + 1 }, s, { code: e.code, message: e.message });
    }
    // Cancelled (or failed by another process) while enqueueing: the job must not run on its own.
    if (!(await store.moveStep(row.id, ['starting'], { status: 'running', job_id: job.id }))) return void (await queue.cancel(job.id).catch(() => undefined));
    await store.addLog(row.id, `attempt ${row.attempts + 1}: job ${job.id} (${jobType})`);
  }

  private async startInline(row: StepRow, s: StepDefinition, runId: string, pipeline: string, paramsJson: string): Promise<void> {
    const { store } = this.deps;
    if (row.status === 'waiting' && s.timeoutSeconds && row.started_at && Date.parse(row.started_at) + s.timeoutSeconds * 1000 < Date.now()) {
      return this.fail(row, s, { code: 'PIPELINE_STEP_TIMEOUT', message: `Step ${s.name} waited longer than its timeout of ${s.timeoutSeconds} s.` });
    }
    const from: StepStatus[] = row.status === 'waiting' ? ['waiting'] : ['pending'];
    if (!(await store.moveStep(row.id, from, { status: 'running', owner: SELF_OWNER_JSON, worker: workerOf(SELF_OWNER_JSON), attempts: row.attempts + (row.status === 'waiting' ? 0 : 1), started_at: row.started_at ?? nowIso() }))) return;
    this.inFlight.add(row.id);
    try {
      const rows = await store.steps(runId);
      const outcome = await runInline(s, scope(paramsJson, rows), {
        registry: this.deps.registry, endpoints: this.deps.endpoints, actor: `pipeline:${pipeline}/${runId}`, log: (m) => store.addLog(row.id, m),
      }).catch((err: unknown): { status: 'failed'; error: StepError } => {
        const e = err instanceof MissingRefError ? new AppError('PIPELINE_REF_MISSING', err.message) : err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message);
        return { status: 'failed', error: { code: e.code, message: e.message } };
      });
      const current = { ...row, status: 'running', worker: workerOf(SELF_OWNER_JSON), attempts: row.attempts + (row.status === 'waiting' ? 0 : 1) };
      if (outcome.status === 'succeeded') {
        await store.moveStep(row.id, ['running'], { status: 'succeeded', outputs_json: JSON.stringify(outcome.outputs), error_json: null, finished_at: nowIso() });
        await this.lineage(runId, s, outcome.outputs);
      } else if (outcome.status === 'waiting') {
        await store.moveStep(row.id, ['running'], { status: 'waiting' });
      } else await this.fail(current, s, outcome.error);
    } finally {
      this.inFlight.delete(row.id);
    }
  }

  /** A running/starting step: take its job's end, its timeout, or a dead owner into account. */
  private async reconcile(row: StepRow, s: StepDefinition, runId: string): Promise<void> {
    const { store, queue } = this.deps;
    if (row.status === 'starting' || !row.job_id) {
      // Being started (or an inline step being run) by a live orchestrator: not ours to touch.
      if (this.inFlight.has(row.id) || (row.owner !== SELF_OWNER_JSON && !ownerIsDead(row.owner))) return;
      if (row.status === 'running') return void (await store.moveStep(row.id, ['running'], { status: 'pending', owner: null }));
      // Its orchestrator stopped between recording the job id and marking the step running: the job exists (it was
      // enqueued: follow it) or it does not (nothing ran: start the step again). Either way it runs at most once.
      const existing = row.job_id ? await queue.get(row.job_id).catch(() => null) : null;
      if (existing) {
        if (await store.moveStep(row.id, ['starting'], { status: 'running' })) await store.addLog(row.id, `attempt ${row.attempts}: job ${existing.id} (${existing.type}), followed after a restart`);
        return;
      }
      if (row.job_id) return void (await store.moveStep(row.id, ['starting'], { status: 'pending', owner: null, job_id: null, attempts: Math.max(0, row.attempts - 1) }));
      // A row from before job ids were recorded up front: whether its job was enqueued is unknown.
      const jobType = s.type === 'command' ? 'pipelines.command' : (s as { jobType: string }).jobType;
      const idempotent = this.deps.queue.definitions().find((d) => d.type === jobType)?.idempotent === true;
      if (idempotent) return void (await store.moveStep(row.id, ['starting'], { status: 'pending', owner: null }));
      return this.fail(row, s, { code: 'PIPELINE_STEP_INTERRUPTED', message: `Step ${s.name} was being started when its server stopped; its job type ${jobType} is not idempotent, so it is not run again.` });
    }
    const job = await queue.get(row.job_id).catch(() => null);
    if (!job) return this.fail(row, s, { code: 'PIPELINE_STEP_INTERRUPTED', message: `The job ${row.job_id} of step ${s.name} no longer exists.` });
    const worker = workerOf(await store.jobOwner(job.id));
    if (job.status === 'succeeded') {
      if (await store.moveStep(row.id, ['running'], { status: 'succeeded', outputs_json: JSON.stringify(job.result), worker, error_json: null, started_at: job.startedAt ?? row.started_at, finished_at: job.finishedAt ?? nowIso() })) {
        await this.lineage(runId, s, job.result);
      }
    } else if (job.status === 'failed') {
      const interrupted = job.error?.code === 'INTERRUPTED';
      const error = interrupted
        ? { code: 'PIPELINE_STEP_INTERRUPTED', message: `Step ${s.name} was running when its worker stopped; its job type ${job.type} is not idempotent, so it is not run again.` }
        : { code: job.error?.code ?? 'INTERNAL', message: job.error?.message ?? 'the job failed' };
      await this.fail({ ...row, worker }, s, error);
    } else if (job.status === 'cancelled') {
      await this.fail(row, s, { code: 'PIPELINE_STEP_CANCELLED', message: `The job ${job.id} of step ${s.name} was cancelled.` });
    } else if (s.timeoutSeconds && row.started_at && Date.parse(row.started_at) + s.timeoutSeconds * 1000 < Date.now()) {
      await queue.cancel(job.id).catch(() => undefined);
      await this.fail(row, s, { code: 'PIPELINE_STEP_TIMEOUT', message: `Step ${s.name} ran longer than its timeout of ${s.timeoutSeconds} s; its job ${job.id} was cancelled.` });
    } else if (worker && worker !== row.worker) await store.moveStep(row.id, ['running'], { worker });
  }

  /** A failed attempt: retried after a backoff while retries are left (and the code is retryable), else failed. */
  private async fail(row: StepRow, s: StepDefinition, error: StepError): Promise<void> {
    const { store } = this.deps;
    const from = [row.status as StepStatus];
    await store.addLog(row.id, `attempt ${row.attempts} failed: ${error.code} ${error.message}`);
    if (!NOT_RETRIED.has(error.code) && row.attempts <= s.retries) {
      const delay = s.retryBackoffSeconds * 2 ** Math.max(0, row.attempts - 1) * 1000;
      await store.moveStep(row.id, from, { status: 'pending', job_id: null, owner: null, error_json: JSON.stringify(error), not_before: new Date(Date.now() + delay).toISOString() });
      await store.addLog(row.id, `retrying in ${delay / 1000} s (${s.retries - row.attempts + 1} retr${s.retries - row.attempts + 1 === 1 ? 'y' : 'ies'} left)`);
      return;
    }
    await store.moveStep(row.id, from, { status: 'failed', error_json: JSON.stringify(error), worker: row.worker, finished_at: nowIso() });
  }

  private async lineage(runId: string, s: StepDefinition, outputs: unknown): Promise<void> {
    const { store, registry } = this.deps;
    const o = (outputs ?? {}) as { versionId?: string; model?: { id?: string }; endpoint?: { name?: string } };
    if ('jobType' in s && s.jobType === 'pipelines.dataset-version' && o.versionId) await store.addEdge(runId, ['dataset-version', o.versionId], ['run', runId]);
    if (o.model?.id) {
      await store.addEdge(runId, ['run', runId], ['model-version', o.model.id]);
      const model = await registry.resolve(o.model.id).catch(() => undefined);
      if (model?.datasetVersionId) await store.addEdge(runId, ['dataset-version', model.datasetVersionId], ['run', runId]);
    }
    if (s.type === 'deploy' && o.model?.id && o.endpoint?.name) await store.addEdge(runId, ['model-version', o.model.id], ['endpoint', o.endpoint.name]);
  }

  private async cancelRun(runId: string): Promise<void> {
    const { store, queue } = this.deps;
    for (const row of await store.steps(runId)) {
      if (TERMINAL_STEP.includes(row.status as StepStatus)) continue;
      if (row.job_id) await queue.cancel(row.job_id).catch(() => undefined);
      await store.moveStep(row.id, [row.status as StepStatus], { status: 'cancelled', finished_at: nowIso() });
    }
    await store.finishRun(runId, 'cancelled', { code: 'PIPELINE_RUN_CANCELLED', message: 'The run was cancelled.' });
  }

  private async settle(runId: string, rows: StepRow[]): Promise<void> {
    const open = rows.filter((r) => !TERMINAL_STEP.includes(r.status as StepStatus));
    if (open.length === 0) {
      const failed = rows.find((r) => r.status === 'failed');
      const error = failed ? { ...(JSON.parse(failed.error_json ?? '{}') as StepError), step: failed.name } : null;
      await this.deps.store.finishRun(runId, failed ? 'failed' : 'succeeded', error);
      return;
    }
    const waiting = open.some((r) => r.status === 'waiting') && open.every((r) => r.status === 'waiting' || r.status === 'pending');
    const run = await this.deps.store.runRow(runId);
    if (run && run.status !== (waiting ? 'waiting' : 'running')) await this.deps.store.finishRun(runId, waiting ? 'waiting' : 'running', null);
  }
}
