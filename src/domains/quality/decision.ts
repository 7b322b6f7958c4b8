/**
 * A model version's decision rule (`meta.decision`): read it, edit it by hand, or reset it to the defaults
 * (threshold 0.5 per label; always answer the top class). Every change reloads the cached model so endpoints and
 * batch jobs apply it at once; it lives in the DB, so it survives restarts.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import type { ModelVersion } from '../models/service.ts';
import type { QualityDeps } from './deps.ts';
import type { DecisionUpdate } from './schema.ts';

export interface StoredDecision {
  thresholds?: number[] | null;
  abstainBelow?: number | null;
  offsets?: number[] | null;
  objective?: string | null;
  tunedAt?: string | null;
  source?: string | null;
  /** How text.tune chose the thresholds from the out-of-fold scores (multi-label), e.g. bagged; absent before. */
  thresholdRule?: string | null;
  editedAt?: string | null;
}

export interface DecisionView {
  model: { id: string; name: string; version: number };
  mode: 'multi-class' | 'multi-label';
  labels: string[];
  thresholds: Record<string, number> | null;
  abstainBelow: number | null;
  offsets: Record<string, number> | null;
  objective: string | null;
  tunedAt: string | null;
  source: string | null;
  thresholdRule: string | null;
  editedAt: string | null;
}

function modelLabels(model: ModelVersion): { mode: 'multi-class' | 'multi-label'; labels: string[] } {
  const params = model.params as { mode?: 'multi-class' | 'multi-label'; labels?: string[] };
  return { mode: params.mode ?? 'multi-class', labels: params.labels ?? [] };
}

const byLabel = (labels: string[], values: number[] | null | undefined) => (values ? Object.fromEntries(labels.map((l, j) => [l, values[j] ?? 0])) : null);

export function decisionView(model: ModelVersion): DecisionView {
  const { mode, labels } = modelLabels(model);
  const d = (model.meta.decision ?? {}) as StoredDecision;
  return {
    model: { id: model.id, name: model.name, version: model.version },
    mode,
    labels,
    thresholds: mode === 'multi-label' ? byLabel(labels, d.thresholds) : null,
    abstainBelow: d.abstainBelow ?? null,
    offsets: mode === 'multi-class' ? byLabel(labels, d.offsets) : null,
    objective: d.objective ?? null,
    tunedAt: d.tunedAt ?? null,
    source: d.source ?? null,
    thresholdRule: d.thresholdRule ?? null,
    editedAt: d.editedAt ?? null,
  };
}

function unknownLabels(names: string[], labels: string[], field: string): Problem[] {
  return names.filter((l) => !labels.includes(l)).map((l) => ({ field: `${field}.${l}`, problem: `unknown label ${JSON.stringify(l)}`, fix: `Use the model's labels: ${labels.join(', ')}.` }));
}

export async function updateDecision(deps: QualityDeps, model: ModelVersion, body: DecisionUpdate): Promise<DecisionView> {
  const { mode, labels } = modelLabels(model);
  const wrongMode: Problem[] = [];
  if (mode === 'multi-class' && body.thresholds !== undefined) wrongMode.push({ field: 'thresholds', problem: 'per-label thresholds apply to multi-label models', fix: 'For a multi-class model set abstainBelow (and optionally offsets).' });
  if (mode === 'multi-label' && body.abstainBelow !== undefined && body.abstainBelow !== null) wrongMode.push({ field: 'abstainBelow', problem: 'abstaining applies to multi-class models', fix: 'For a multi-label model set per-label thresholds.' });
  if (mode === 'multi-label' && body.offsets) wrongMode.push({ field: 'offsets', problem: 'offsets apply to multi-class models', fix: 'For a multi-label model set per-label thresholds.' });
  if (wrongMode.length) throw new AppError('VALIDATION_FAILED', `Model ${model.name}:${model.version} is ${mode}: ${wrongMode[0]!.problem}.`, { problems: wrongMode });
  const unknown = [...unknownLabels(Object.keys(body.thresholds ?? {}), labels, 'thresholds'), ...unknownLabels(Object.keys(body.offsets ?? {}), labels, 'offsets')];
  if (unknown.length) {
    const names = unknown.map((p) => p.field!.replace(/^\w+\./, ''));
    throw new AppError('TEXT_UNKNOWN_LABEL', `Model ${model.name}:${model.version} has no label ${names.map((x) => JSON.stringify(x)).join(', ')}; its labels are ${labels.join(', ')}.`, { problems: unknown });
  }
  const current = (model.meta.decision ?? {}) as StoredDecision;
  const next: StoredDecision = { ...current, source: 'manual', editedAt: new Date().toISOString() };
  if (body.thresholds) {
    const base = current.thresholds && current.thresholds.length === labels.length ? [...current.thresholds] : labels.map(() => 0.5);
    for (const [l, t] of Object.entries(body.thresholds)) base[labels.indexOf(l)] = t;
    next.thresholds = base;
  }
  if (body.abstainBelow !== undefined) next.abstainBelow = body.abstainBelow;
  if (body.offsets !== undefined) {
    if (body.offsets === null) next.offsets = null;
    else {
      const base = current.offsets && current.offsets.length === labels.length ? [...current.offsets] : labels.map(() => 0);
      for (const [l, o] of Object.entries(body.offsets)) base[labels.indexOf(l)] = o;
      next.offsets = base;
    }
  }
  const updated = await deps.models.update(model.id, { meta: { decision: next } });
  await deps.reload(model.id);
  return decisionView(updated);
}

export async function resetDecision(deps: QualityDeps, model: ModelVersion): Promise<DecisionView> {
  // JSON drops undefined: the stored meta loses its `decision` key.
  const updated = await deps.models.update(model.id, { meta: { decision: undefined } });
  await deps.reload(model.id);
  return decisionView(updated);
}
