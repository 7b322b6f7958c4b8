/**
 * The trainer's metrics.jsonl (one JSON object a line, appended by rank 0; contract in /work/notes/finetune.md)
 * read back as typed events, a queryable series and the run's summary. A torn last line (the trainer is still
 * writing it, or was killed mid-write) is skipped, never an error: the file is read again later.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface StartEvent { type: 'start'; world_size: number; resumed_from_step: number; base_eval_loss?: number | null; params?: number; trainable_params?: number; tokens_train?: number; tokens_eval?: number }
export interface StepEvent { type: 'step'; step: number; loss: number; lr: number; grad_norm?: number; tokens_per_s?: number; seqs_per_s?: number; elapsed_s?: number }
export interface EvalEvent { type: 'eval'; step: number; eval_loss: number }
export interface CheckpointEvent { type: 'checkpoint'; step: number; path: string }
export interface DoneEvent { type: 'done'; step: number; final_loss: number; eval_loss: number; base_eval_loss: number }
export interface ErrorEvent { type: 'error'; code: string; message: string; field?: string; fix?: string }
export type MetricsEvent = StartEvent | StepEvent | EvalEvent | CheckpointEvent | DoneEvent | ErrorEvent;

const TYPES = new Set(['start', 'step', 'eval', 'checkpoint', 'done', 'error']);

/** One line as an event, or null (not JSON, not an object with a known type: stdout noise, a torn line). */
export function parseMetricsLine(line: string): MetricsEvent | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    const v = JSON.parse(t) as { type?: unknown };
    return v && typeof v === 'object' && typeof v.type === 'string' && TYPES.has(v.type) ? (v as MetricsEvent) : null;
  } catch {
    return null;
  }
}

export function readMetrics(file: string): MetricsEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').map(parseMetricsLine).filter((e): e is MetricsEvent => e !== null);
}

export const SERIES_NAMES = ['loss', 'eval_loss', 'lr', 'tokens_per_s', 'seqs_per_s', 'grad_norm'] as const;
export type SeriesName = (typeof SERIES_NAMES)[number];
export interface SeriesPoint { step: number; value: number }

/** One metric against the step. A resumed run repeats steps after its checkpoint: the later value wins. */
export function series(events: MetricsEvent[], name: SeriesName): SeriesPoint[] {
  const byStep = new Map<number, number>();
  for (const e of events) {
    if (name === 'eval_loss' ? e.type !== 'eval' : e.type !== 'step') continue;
    const v = (e as unknown as Record<string, unknown>)[name];
    if (typeof v === 'number' && Number.isFinite(v)) byStep.set((e as StepEvent | EvalEvent).step, v);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
}

export interface MetricsSummary {
  worldSize: number | null;
  step: number;
  resumedFromStep: number | null;
  baseEvalLoss: number | null;
  evalLoss: number | null;
  finalLoss: number | null;
  /** Mean over the logged steps of the last start (the newest attempt), excluding the first (warm-up) report. */
  tokensPerSecond: number | null;
  seqsPerSecond: number | null;
  done: boolean;
  error: ErrorEvent | null;
  checkpoints: CheckpointEvent[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function summarize(events: MetricsEvent[]): MetricsSummary {
  let lastStart = -1;
  events.forEach((e, i) => { if (e.type === 'start') lastStart = i; });
  const start = lastStart >= 0 ? (events[lastStart] as StartEvent) : null;
  const steps = events.slice(lastStart + 1).filter((e): e is StepEvent => e.type === 'step');
  const timed = steps.length > 1 ? steps.slice(1) : steps;
  const done = [...events].reverse().find((e): e is DoneEvent => e.type === 'done') ?? null;
  const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
  const base = done?.base_eval_loss ?? events.find((e): e is StartEvent => e.type === 'start' && typeof e.base_eval_loss === 'number')?.base_eval_loss ?? null;
  return {
    worldSize: start?.world_size ?? null,
    step: Math.max(0, ...events.filter((e): e is StepEvent => e.type === 'step').map((e) => e.step), done?.step ?? 0),
    resumedFromStep: start?.resumed_from_step ?? null,
    baseEvalLoss: base,
    evalLoss: done?.eval_loss ?? evals.at(-1)?.eval_loss ?? null,
    finalLoss: done?.final_loss ?? steps.at(-1)?.loss ?? null,
    tokensPerSecond: mean(timed.map((s) => s.tokens_per_s).filter((v): v is number => typeof v === 'number')),
    seqsPerSecond: mean(timed.map((s) => s.seqs_per_s).filter((v): v is number => typeof v === 'number')),
    done: done !== null,
    error: [...events].reverse().find((e): e is ErrorEvent => e.type === 'error') ?? null,
    checkpoints: events.filter((e): e is CheckpointEvent => e.type === 'checkpoint'),
  };
}
