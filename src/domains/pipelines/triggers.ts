/**
 * Pipeline triggers (issue 14): apply-time checks of the `triggers` section, and for each trigger kind the key of its
 * current state (schedule: the latest due fire minute; dataset version: the newest ready version id; approval: the
 * newest Approved version id; feature records: the highest record sequence once N new matching records exist).
 * A trigger fires when its key moves past the stored last key; the move is claimed with a guarded UPDATE
 * (`… WHERE last_key = <read>`) so two processes never start the same firing. The first sight of a trigger only
 * records a baseline (versions, approvals and records that existed before the trigger never fire it).
 */
import type { Kysely } from 'kysely';
import type { Problem } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import type { Database } from '../../storage/schema.ts';
import { checkTimeZone, latestDue, parseCron } from './cron.ts';
import type { PipelineTriggers, Trigger } from './schema.ts';

export const TRIGGER_KINDS = ['schedule', 'dataset-version', 'approval', 'feature-records'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export function checkTriggers(t: PipelineTriggers): Problem[] {
  const problems: Problem[] = [];
  if (t.schedule) {
    try {
      parseCron(t.schedule.cron);
    } catch (err) {
      problems.push({ field: 'triggers.schedule.cron', problem: (err as Error).message, fix: 'Use 5 fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *".' });
    }
    try {
      checkTimeZone(t.schedule.timezone);
    } catch {
      problems.push({ field: 'triggers.schedule.timezone', problem: `"${t.schedule.timezone}" is not a known time zone`, fix: 'Use an IANA time zone name such as "Europe/Berlin" or "UTC".' });
    }
  }
  return problems;
}

/** The state one trigger kind is in now: its key, and the detail a firing at that key records. */
export interface TriggerState { key: string; detail: Record<string, unknown>; fire: boolean }

/** Reads the current key of a trigger; `last` is the stored last key (undefined: first sight → baseline only). */
export async function currentState(db: Kysely<Database>, kind: TriggerKind, t: PipelineTriggers, last: string | undefined, now: Date): Promise<TriggerState | undefined> {
  switch (kind) {
    case 'schedule': {
      const s = t.schedule!;
      const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
      if (last === undefined) return { key: minute, detail: {}, fire: false };
      const due = latestDue(parseCron(s.cron), s.timezone, new Date(last), now);
      return due ? { key: due.toISOString(), detail: { cron: s.cron, timezone: s.timezone, scheduledFor: due.toISOString() }, fire: true } : undefined;
    }
    case 'dataset-version': {
      const name = t.onDatasetVersion!.dataset;
      const v = await db.selectFrom('dataset_versions as v').innerJoin('datasets as d', 'd.id', 'v.dataset_id')
        .select(['v.id', 'v.version', 'd.id as datasetId', 'd.name']).where('d.name', '=', name).where('v.status', '=', 'ready')
        .orderBy('v.version', 'desc').limit(1).executeTakeFirst();
      const key = v?.id ?? '';
      return { key, detail: { dataset: name, datasetId: v?.datasetId, versionId: v?.id, version: v?.version }, fire: last !== undefined && key !== '' && key !== last };
    }
    case 'approval': {
      const name = t.onApproval!.model;
      const m = await db.selectFrom('model_approvals as a').innerJoin('models as m', 'm.id', 'a.model_id')
        .select(['m.id', 'm.version', 'a.updated_at', 'a.updated_by']).where('m.name', '=', name).where('a.status', '=', 'Approved')
        .orderBy('a.updated_at', 'desc').orderBy('m.version', 'desc').limit(1).executeTakeFirst();
      const key = m?.id ?? '';
      return { key, detail: { model: name, modelId: m?.id, version: m?.version, approvedBy: m?.updated_by, approvedAt: m?.updated_at }, fire: last !== undefined && key !== '' && key !== last };
    }
    case 'feature-records': {
      const f = t.onFeatureRecords!;
      const group = await db.selectFrom('feature_groups').select('id').where('name', '=', f.group).executeTakeFirst();
      if (!group) return { key: last ?? '0', detail: {}, fire: false };
      if (last === undefined) {
        const max = await db.selectFrom('feature_records').select((e) => e.fn.max('seq').as('seq')).where('group_id', '=', group.id).executeTakeFirst();
        return { key: String(max?.seq ?? 0), detail: {}, fire: false };
      }
      // Bounded read: more than this many new records in one tick fire on the next tick for the rest.
      const rows = await db.selectFrom('feature_records').select(['seq', 'values_json']).where('group_id', '=', group.id).where('seq', '>', Number(last))
        .orderBy('seq').limit(100_000).execute();
      const where = Object.entries(f.where ?? {});
      const matching = where.length === 0 ? rows : rows.filter((r) => {
        const values = JSON.parse(r.values_json) as Record<string, unknown>;
        return where.every(([k, v]) => values[k] === v);
      });
      if (matching.length < f.count) return undefined;
      const to = rows.at(-1)!.seq;
      return { key: String(to), detail: { group: f.group, count: matching.length, afterSeq: Number(last), toSeq: to, ...(f.where ? { where: f.where } : {}) }, fire: true };
    }
  }
}

export function kindsOf(t: PipelineTriggers | undefined): TriggerKind[] {
  if (!t) return [];
  return [t.schedule && 'schedule', t.onDatasetVersion && 'dataset-version', t.onApproval && 'approval', t.onFeatureRecords && 'feature-records'].filter(Boolean) as TriggerKind[];
}

/** Params of a triggered run: the definition's defaults, plus the trigger's detail where a param of that name exists. */
export function triggeredParams(parameters: Record<string, { type: string }>, trigger: Trigger): Record<string, unknown> {
  const d = trigger.detail ?? {};
  const out: Record<string, unknown> = {};
  if (trigger.type === 'dataset-version' && parameters.dataset?.type === 'string') out.dataset = d.dataset;
  if (trigger.type === 'dataset-version' && parameters.datasetVersion && typeof d.version === 'number') out.datasetVersion = d.version;
  if (trigger.type === 'approval' && parameters.model?.type === 'string') out.model = d.modelId;
  return out;
}

export function createTriggerStore(db: Kysely<Database>) {
  return {
    rows: (pipelineId: string) => db.selectFrom('pipeline_triggers').selectAll().where('pipeline_id', '=', pipelineId).execute(),
    /** First sight (or changed settings: `from` is the row read) → the current key, without firing. */
    async baseline(pipelineId: string, kind: TriggerKind, key: string, configHash: string, from?: { last_key: string; config_hash: string }): Promise<void> {
      if (from) {
        await db.updateTable('pipeline_triggers').set({ last_key: key, config_hash: configHash, updated_at: nowIso() })
          .where('pipeline_id', '=', pipelineId).where('kind', '=', kind).where('last_key', '=', from.last_key).where('config_hash', '=', from.config_hash).execute();
        return;
      }
      await db.insertInto('pipeline_triggers').values({ pipeline_id: pipelineId, kind, last_key: key, config_hash: configHash, last_fired_at: null, last_run_id: null, updated_at: nowIso() })
        .onConflict((oc) => oc.columns(['pipeline_id', 'kind']).doNothing()).execute();
    },
    /** True for the one process whose guarded update moved the key from `from` to `to`. */
    async claim(pipelineId: string, kind: TriggerKind, from: string, to: string, configHash: string): Promise<boolean> {
      const r = await db.updateTable('pipeline_triggers').set({ last_key: to, last_fired_at: nowIso(), updated_at: nowIso() })
        .where('pipeline_id', '=', pipelineId).where('kind', '=', kind).where('last_key', '=', from).where('config_hash', '=', configHash).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async recordRun(pipelineId: string, kind: TriggerKind, runId: string): Promise<void> {
      await db.updateTable('pipeline_triggers').set({ last_run_id: runId }).where('pipeline_id', '=', pipelineId).where('kind', '=', kind).execute();
    },
  };
}
