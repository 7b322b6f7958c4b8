/**
 * The trigger scheduler: runs in the orchestrator's process (started and stopped with it). Each tick reads every
 * pipeline's latest definition, and for each trigger compares its current key (triggers.ts) with the stored last key;
 * a moved key is claimed with a guarded UPDATE and only the claiming process starts the run, recording
 * `{type, detail}` as the run's trigger. A schedule missed while no server ran fires once (for the latest missed
 * minute) on the first tick after start-up. The claim, the run's insert and its record commit in one transaction,
 * so a firing starts exactly one run: a crash before the commit leaves the key unclaimed (the next tick fires it),
 * after it the run exists (the orchestrator resumes it like any other).
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import { nextFire, parseCron } from './cron.ts';
import { hashOf } from './runState.ts';
import type { PipelineTriggers, Trigger } from './schema.ts';
import { insertRun, type NewRun, type PipelineStore } from './store.ts';
import { createTriggerStore, currentState, kindsOf, triggeredParams, type TriggerKind } from './triggers.ts';

export interface SchedulerDeps {
  db: Kysely<Database>;
  store: PipelineStore;
  logger: Logger;
  /** The run to insert for these params (bound and checked; throws on bad params). */
  prepareRun(name: string, params: Record<string, unknown>, trigger: Trigger): Promise<NewRun>;
  /** Told once a run's insert committed (the orchestrator advances it). */
  started(runId: string): void;
  /** Tick interval (default 15 s). */
  tickMs?: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

export interface TriggerInfo {
  kind: TriggerKind;
  config: unknown;
  lastKey: string | null;
  lastFiredAt: string | null;
  lastRunId: string | null;
  /** Schedules only: the next fire time after now. */
  nextFireAt?: string | null;
}

const configOf = (t: PipelineTriggers, kind: TriggerKind) =>
  ({ schedule: t.schedule, 'dataset-version': t.onDatasetVersion, approval: t.onApproval, 'feature-records': t.onFeatureRecords })[kind];

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly triggers;
  constructor(private readonly deps: SchedulerDeps) {
    this.triggers = createTriggerStore(deps.db);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 15_000).unref();
    await this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One pass over every pipeline's triggers (a pass still going is joined, not doubled). */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => { this.ticking = undefined; });
    return this.ticking;
  }

  private async pass(): Promise<void> {
    const { store, logger } = this.deps;
    try {
      for (const p of await store.list()) {
        const v = await store.version(p.name);
        const t = v?.definition.triggers;
        if (!v || !t) continue;
        const rows = await this.triggers.rows(v.pipelineId);
        for (const kind of kindsOf(t)) {
          await this.check(p.name, v.pipelineId, kind, t, v.definition.parameters, rows.find((r) => r.kind === kind))
            .catch((err: unknown) => logger.warn({ err, pipeline: p.name, kind }, 'pipelines: a trigger check failed'));
        }
      }
    } catch (err) {
      logger.warn({ err }, 'pipelines: the trigger tick failed');
    }
  }

  private async check(name: string, pipelineId: string, kind: TriggerKind, t: PipelineTriggers, parameters: Record<string, { type: string }>, row: { last_key: string; config_hash: string } | undefined): Promise<void> {
    const hash = hashOf(configOf(t, kind));
    // Changed settings (another dataset, another cron) start from a new baseline, like a first sight.
    const last = row && row.config_hash === hash ? row.last_key : undefined;
    const state = await currentState(this.deps.db, kind, t, last, this.now());
    if (!state) return;
    if (last === undefined) return this.triggers.baseline(pipelineId, kind, state.key, hash, row);
    if (!state.fire) return;
    const trigger: Trigger = { type: kind, detail: state.detail };
    let input: NewRun | undefined;
    let refused: unknown;
    try {
      input = await this.deps.prepareRun(name, triggeredParams(parameters, trigger), trigger);
    } catch (err) {
      refused = err; // e.g. a required param without a default: the firing is used up, and logged
    }
    const runId = await this.deps.db.transaction().execute(async (trx) => {
      const triggers = createTriggerStore(trx);
      if (!(await triggers.claim(pipelineId, kind, last, state.key, hash))) return undefined;
      if (!input) return null;
      const id = await insertRun(trx, input);
      await triggers.recordRun(pipelineId, kind, id);
      return id;
    });
    if (runId === null) this.deps.logger.warn({ err: refused, pipeline: name, trigger }, 'pipelines: a trigger fired but its run could not start');
    if (!runId) return;
    this.deps.started(runId);
    this.deps.logger.info({ pipeline: name, run: runId, trigger }, 'pipelines: a trigger started a run');
  }

  /** The triggers of a pipeline's latest version with their last firing and (schedules) next fire time. */
  async info(pipelineId: string, t: PipelineTriggers | undefined): Promise<TriggerInfo[]> {
    if (!t) return [];
    const rows = await this.triggers.rows(pipelineId);
    return kindsOf(t).map((kind) => {
      const row = rows.find((r) => r.kind === kind);
      const out: TriggerInfo = { kind, config: configOf(t, kind), lastKey: row?.last_key ?? null, lastFiredAt: row?.last_fired_at ?? null, lastRunId: row?.last_run_id ?? null };
      if (kind === 'schedule') out.nextFireAt = nextFire(parseCron(t.schedule!.cron), t.schedule!.timezone, this.now())?.toISOString() ?? null;
      return out;
    });
  }
}
