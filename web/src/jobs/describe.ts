/**
 * Jobs as people read them: a title per job type ("Train text classifier toxicity" rather than `text.train`) and
 * links to what each produced (a dataset version, a model version, a file to download), read defensively from the
 * job's payload and result (their shapes belong to each domain).
 */
import type { Job, ModelVersion } from '../api/types.ts';
import { modelPageFor } from '../models/kinds.ts';

const enc = encodeURIComponent;

export interface JobLookups {
  /** dataset id → name */
  datasetName?: (id: string) => string | undefined;
  /** model version id → version */
  model?: (id: string) => ModelVersion | undefined;
}

export interface JobOutput {
  kind: 'dataset' | 'model' | 'file';
  label: string;
  /** an in-app page */
  to?: string;
  /** a download */
  href?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** "ds_1:3" (id:version) → its parts. */
function datasetRef(ref: string | undefined): { id: string; version?: number } | undefined {
  if (!ref) return undefined;
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { id: m[1]!, version: Number(m[2]) } : { id: ref };
}

function datasetLabel(ref: string | undefined, l: JobLookups): string {
  const d = datasetRef(ref);
  if (!d) return '';
  const name = l.datasetName?.(d.id) ?? d.id;
  return d.version ? `${name} v${d.version}` : name;
}

function modelRef(job: Job, l: JobLookups): { name: string; version?: number; kind?: string } | undefined {
  const r = obj(obj(job.result).model);
  const name = str(r.name);
  if (name) return { name, version: int(r.version), kind: l.model?.(str(r.id) ?? '')?.kind };
  const id = str(obj(job.payload).modelId);
  const m = id ? l.model?.(id) : undefined;
  return m ? { name: m.name, version: m.version, kind: m.kind } : undefined;
}

const TITLES: Record<string, (p: Obj, job: Job, l: JobLookups) => string> = {
  'datasets.import': (p, job, l) => {
    const r = obj(job.result);
    const id = str(r.datasetId) ?? str(p.datasetId);
    return `Import dataset ${id ? (l.datasetName?.(id) ?? id) : ''}${int(r.version) ? ` v${r.version}` : ''}`.trim();
  },
  'text.train': (p) => `Train text classifier ${str(p.name) ?? ''}`.trim(),
  'text.evaluate': (p, _j, l) => `Evaluate text classifier ${str(p.model) ?? ''} on ${datasetLabel(str(p.dataset), l)}`.trim(),
  'text.batch': (p, job, l) => `Batch analysis of ${str(p.inputFileName) ?? 'a file'}${modelName(job, l)}`,
  'text.tune': (_p, job, l) => `Tune thresholds${modelName(job, l)}`,
  'text.sweep': (p) => `Oversampling sweep of label ${str(p.label) ?? ''}`.trim(),
  'text.learning-curve': (p, _j, l) => `Learning curve${str(p.dataset) ? ` on ${datasetLabel(str(p.dataset), l)}` : ''}`,
  'text.noisy-labels': (p, _j, l) => `Find noisy labels${str(p.dataset) ? ` in ${datasetLabel(str(p.dataset), l)}` : ''}`,
  'images.train': (p) => `${str(p.build) === 'standard' ? 'Standard' : 'Quick'} build of image classifier ${str(p.name) ?? ''}`.trim(),
  'images.batch': (p, job, l) => `Batch prediction on ${datasetLabel(str(p.dataset), l) || 'a dataset'}${modelName(job, l)}`,
  'summarize.run': (p) => `Summarize ${str(p.fileName) ?? 'a document'}`,
};

function modelName(job: Job, l: JobLookups): string {
  const m = modelRef(job, l);
  return m ? ` with ${m.name}${m.version ? `:${m.version}` : ''}` : '';
}

/** Job types as a filter lists them. */
export const JOB_TYPE_NAMES: Record<string, string> = {
  'datasets.import': 'Dataset imports',
  'text.train': 'Text classifier training',
  'text.evaluate': 'Text evaluations',
  'text.batch': 'Text batch analyses',
  'text.tune': 'Threshold tuning',
  'text.sweep': 'Oversampling sweeps',
  'text.learning-curve': 'Learning curves',
  'text.noisy-labels': 'Noisy-label searches',
  'images.train': 'Image classifier builds',
  'images.batch': 'Image batch predictions',
  'summarize.run': 'Summaries',
};

/** The datasets a job reads (its data and a separate test set), by name: payloads may name them by id ("ds_…:3"). */
export function jobInputs(job: Job, l: JobLookups = {}): Array<{ role: 'data' | 'test set'; label: string; to: string }> {
  const p = obj(job.payload);
  const out: Array<{ role: 'data' | 'test set'; label: string; to: string }> = [];
  for (const [key, role] of [['dataset', 'data'], ['testDataset', 'test set']] as const) {
    const d = datasetRef(str(p[key]));
    if (!d) continue;
    const name = l.datasetName?.(d.id) ?? d.id;
    const version = d.version ?? (key === 'testDataset' ? int(p.testDatasetVersion) : int(p.datasetVersion));
    out.push({ role, label: version ? `${name} v${version}` : name, to: `/datasets/${enc(name)}${version ? `?v=${version}` : ''}` });
  }
  return out;
}

/** A readable title; unknown types read as their type name. */
export function jobTitle(job: Job, lookups: JobLookups = {}): string {
  const f = TITLES[job.type];
  return f ? f(obj(job.payload), job, lookups) : job.type;
}

/** What a job produced (or, while it runs, will produce), as links. */
export function jobOutputs(job: Job, lookups: JobLookups = {}): JobOutput[] {
  const out: JobOutput[] = [];
  const p = obj(job.payload);
  const r = obj(job.result);
  const ok = job.status === 'succeeded';
  if (job.type === 'datasets.import') {
    const id = str(r.datasetId) ?? str(p.datasetId);
    if (id) out.push({ kind: 'dataset', label: `${lookups.datasetName?.(id) ?? id}${int(r.version) ? ` v${r.version}` : ''}`, to: `/datasets/${enc(id)}${int(r.version) ? `?v=${r.version}` : ''}` });
  }
  if (['text.train', 'images.train', 'text.tune', 'text.batch', 'images.batch', 'text.evaluate'].includes(job.type)) {
    const m = modelRef(job, lookups);
    const kind = m?.kind ?? (job.type.startsWith('images.') ? 'image-classifier' : 'text-classifier');
    if (m && m.version) out.push({ kind: 'model', label: `${m.name}:${m.version}`, to: modelPageFor({ name: m.name, version: m.version, kind }) });
  }
  if (ok && job.type === 'text.batch') {
    out.push({ kind: 'file', label: 'predictions.jsonl', href: `/api/v1/text/batch-jobs/${enc(job.id)}/output?format=jsonl` });
    out.push({ kind: 'file', label: 'output.tar.gz', href: `/api/v1/text/batch-jobs/${enc(job.id)}/output?format=tar.gz` });
  }
  if (ok && job.type === 'images.batch') out.push({ kind: 'file', label: 'predictions.csv', href: `/api/v1/images/batch/${enc(job.id)}/predictions.csv` });
  if (ok && job.type === 'summarize.run') out.push({ kind: 'file', label: 'summary.md', href: `/api/v1/summarize/${enc(job.id)}/files/summary.md` });
  return out;
}
