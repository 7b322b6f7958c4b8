/** Prediction quality: threshold tuning, decision rules, experiments and noisy-label edits (docs/api.md). */
import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '../api/client.ts';
import type { Job, ModelVersion, TextMode } from '../api/types.ts';
import type { z } from 'zod';
import type { objectiveSchema } from '../../../src/domains/quality/schema.ts';
import type { DecisionView } from '../../../src/domains/quality/decision.ts';
import type { TuneResult } from '../../../src/domains/quality/tune.ts';
import type { LearningCurvePoint, LearningCurveResult, SweepPoint, SweepResult } from '../../../src/domains/quality/experiments.ts';
import type { NoisyLabelsResult, NoisyRow } from '../../../src/domains/quality/noisy.ts';
import type { TextQualityService } from '../../../src/domains/quality/service.ts';
import type { OperatingPoint, ReportCurve, TuningReport } from '../../../src/domains/classifiers/tuningReport.ts';

export type { LearningCurvePoint, LearningCurveResult, NoisyRow, SweepPoint, SweepResult, TuneResult, TuningReport };
export type Objective = z.input<typeof objectiveSchema>;
export type Decision = DecisionView;
export type PrPoint = OperatingPoint;
export type PrCurve = ReportCurve;
export type NoisyResult = NoisyLabelsResult;
/** 202 answer of POST /datasets/{d}/versions/{v}/edits. */
export type EditsAccepted = Awaited<ReturnType<TextQualityService['editDataset']>>;

const enc = encodeURIComponent;

export type ObjectiveKind = 'f1' | 'f0.5' | 'f2' | 'precision' | 'recall';

export function objectiveOf(kind: ObjectiveKind, target: number): Objective {
  if (kind === 'precision') return { precision: target };
  if (kind === 'recall') return { recall: target };
  return kind;
}

export function describeObjective(o: unknown): string {
  if (typeof o === 'string') return o.toUpperCase();
  if (o && typeof o === 'object') {
    const r = o as { precision?: number; recall?: number };
    if (typeof r.precision === 'number') return `precision ≥ ${r.precision}`;
    if (typeof r.recall === 'number') return `recall ≥ ${r.recall}`;
  }
  return '—';
}

export const qualityKeys = {
  decision: (name: string, v: number) => ['quality', 'decision', name, v] as const,
  report: (name: string, v: number) => ['quality', 'report', name, v] as const,
};

const modelBase = (name: string, v: number) => `/text/models/${enc(name)}/versions/${v}`;

export function tuningReportUrl(name: string, v: number, format: 'json' | 'html' | 'svg' | 'png'): string {
  return `/api/v1${modelBase(name, v)}/tuning-report?format=${format}`;
}

export function experimentChartUrl(jobId: string, format: 'svg' | 'png'): string {
  return `/api/v1/text/experiments/${enc(jobId)}/chart?format=${format}`;
}

export function startTune(name: string, v: number, objective: Objective): Promise<{ job: Job }> {
  return api<{ job: Job }>(`${modelBase(name, v)}/tune`, { method: 'POST', body: { objective } });
}

export function useDecision(name: string, v: number) {
  return useQuery({
    queryKey: qualityKeys.decision(name, v),
    queryFn: ({ signal }) => api<Decision>(`${modelBase(name, v)}/decision`, { signal }),
  });
}

export function putDecision(name: string, v: number, body: { thresholds?: Record<string, number>; abstainBelow?: number | null }): Promise<Decision> {
  return api<Decision>(`${modelBase(name, v)}/decision`, { method: 'PUT', body });
}

export function resetDecision(name: string, v: number): Promise<unknown> {
  return api<unknown>(`${modelBase(name, v)}/decision`, { method: 'DELETE' });
}

/** The artifact a tuning job adds to the model version; its presence is how the UI knows the version is tuned. */
export const TUNING_REPORT_ARTIFACT = 'tuning-report.json';

export function isTuned(model: Pick<ModelVersion, 'artifacts'>): boolean {
  return Boolean(model.artifacts?.[TUNING_REPORT_ARTIFACT]);
}

/**
 * The last tuning's report. Asked for only when the model version lists the report among its artifacts, so an
 * untuned model costs no request (the API answers 404 TUNING_REPORT_NOT_FOUND there); null if it is gone meanwhile.
 */
export function useTuningReport(model: Pick<ModelVersion, 'name' | 'version' | 'artifacts'>) {
  const { name, version: v } = model;
  return useQuery({
    queryKey: qualityKeys.report(name, v),
    enabled: isTuned(model),
    queryFn: async ({ signal }) => {
      try {
        return await api<TuningReport>(`${modelBase(name, v)}/tuning-report`, { query: { format: 'json' }, signal });
      } catch (err) {
        if (isApiError(err) && err.status === 404) return null;
        throw err;
      }
    },
  });
}

/** The data fields of an experiment, taken from the model's training job payload. */
export interface DataFields {
  dataset: string;
  datasetVersion?: number;
  mode: TextMode;
  format?: string;
  delimiter?: string;
  textColumn?: string;
  labelColumns?: string[];
  noneLabel?: string;
}

export function dataFieldsOf(model: ModelVersion, payload: Record<string, unknown> | null | undefined, datasetVersion: number | undefined): DataFields | null {
  const dataset = typeof payload?.dataset === 'string' ? payload.dataset : null;
  if (!dataset) return null;
  const str = (k: string) => (typeof payload?.[k] === 'string' ? (payload[k] as string) : undefined);
  const out: DataFields = { dataset, mode: (model.params?.mode ?? (str('mode') as TextMode | undefined) ?? 'multi-class') };
  if (datasetVersion) out.datasetVersion = datasetVersion;
  const format = model.params?.format ?? str('format');
  if (format) out.format = format;
  const delimiter = model.params?.delimiter ?? str('delimiter');
  if (delimiter) out.delimiter = delimiter;
  if (str('textColumn')) out.textColumn = str('textColumn');
  if (Array.isArray(payload?.labelColumns)) out.labelColumns = payload.labelColumns as string[];
  if (str('noneLabel')) out.noneLabel = str('noneLabel');
  return out;
}

export function startSweep(fields: DataFields, label: string, positives: number[], method: 'oversample' | 'class-weight'): Promise<{ job: Job }> {
  return api<{ job: Job }>('/text/experiments/sweep', { method: 'POST', body: { ...fields, label, positives, method } });
}

export function startLearningCurve(fields: DataFields, fractions: number[]): Promise<{ job: Job }> {
  return api<{ job: Job }>('/text/experiments/learning-curve', { method: 'POST', body: { ...fields, fractions } });
}

export function startNoisyLabels(fields: DataFields, top: number): Promise<{ job: Job }> {
  return api<{ job: Job }>('/text/experiments/noisy-labels', { method: 'POST', body: { ...fields, top } });
}

export function applyEdits(dataset: string, version: number, drop: number[], relabel: Array<{ row: number; labels: string[] }>, fields: DataFields): Promise<EditsAccepted> {
  const body: Record<string, unknown> = { drop, relabel };
  for (const k of ['delimiter', 'textColumn', 'labelColumns', 'noneLabel'] as const) if (fields[k] !== undefined) body[k] = fields[k];
  return api<EditsAccepted>(`/datasets/${enc(dataset)}/versions/${version}/edits`, { method: 'POST', body });
}

/** Parses "10, 25 50" → [10, 25, 50]; null when a part is not a positive number. */
export function parseNumberList(text: string, { integer = false, max = Infinity } = {}): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) return null;
    out.push(n);
  }
  return out;
}
