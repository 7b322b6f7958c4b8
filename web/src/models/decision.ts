/**
 * The live decision rule of a text classifier, read from GET …/decision or from a version's `meta.decision`
 * (thresholds stored in label order): which rule answers ("@0.5", "top class", "tuned", "edited") and the
 * threshold each label must reach, for the badges beside the metrics and the marks on the score bars.
 */
import type { ModelVersion, TextMode } from '../api/types.ts';

export type RuleSource = 'default' | 'tuned' | 'manual';

export interface LiveRule {
  mode: TextMode;
  source: RuleSource;
  /** multi-label: the threshold per label (0.5 where none is stored); multi-class: null. */
  thresholds: Record<string, number> | null;
  /** multi-class: no class is answered when the top score is below this. */
  abstainBelow: number | null;
  objective: unknown;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function sourceOf(source: unknown): RuleSource {
  if (source === 'manual') return 'manual';
  return typeof source === 'string' && source ? 'tuned' : 'default';
}

/** From the decision endpoint's answer (thresholds by label). */
export function ruleFromDecision(d: { mode: TextMode; labels: string[]; thresholds: Record<string, number> | null; abstainBelow: number | null; objective?: unknown; source?: unknown }): LiveRule {
  const thresholds = d.mode === 'multi-label' ? Object.fromEntries(d.labels.map((l) => [l, num(d.thresholds?.[l]) ?? 0.5])) : null;
  return { mode: d.mode, source: sourceOf(d.source), thresholds, abstainBelow: d.mode === 'multi-class' ? num(d.abstainBelow) : null, objective: d.objective ?? null };
}

/** From a registry version (lists: no extra request per row). */
export function ruleFromModel(m: Pick<ModelVersion, 'params' | 'metrics' | 'meta'>): LiveRule {
  const mode: TextMode = m.params?.mode ?? m.metrics?.mode ?? 'multi-class';
  const labels = m.params?.labels ?? m.metrics?.labels ?? [];
  const d = (m.meta?.decision ?? {}) as { thresholds?: unknown; abstainBelow?: unknown; objective?: unknown; source?: unknown };
  const stored = Array.isArray(d.thresholds) ? (d.thresholds as unknown[]) : null;
  const thresholds = stored ? Object.fromEntries(labels.map((l, j) => [l, num(stored[j]) ?? 0.5])) : null;
  return ruleFromDecision({ mode, labels, thresholds, abstainBelow: num(d.abstainBelow), objective: d.objective, source: d.source });
}

/** The short name shown beside metrics: "@0.5" / "top class" for the defaults, "tuned" or "edited" otherwise. */
export function ruleName(r: LiveRule): string {
  if (r.source === 'tuned') return 'tuned';
  if (r.source === 'manual') return 'edited';
  return r.mode === 'multi-label' ? '@0.5' : 'top class';
}

/** One sentence: how a label comes to be predicted under this rule. */
export function ruleSentence(r: LiveRule): string {
  const how = r.source === 'tuned' ? 'tuned' : r.source === 'manual' ? 'edited by hand' : 'the default';
  if (r.mode === 'multi-label') {
    const same = new Set(Object.values(r.thresholds ?? {}));
    const t = same.size === 1 ? ` ${[...same][0]!.toFixed(3)}` : '';
    return `A label is predicted when its score reaches its threshold${t} (the marks; ${how} rule).`;
  }
  return r.abstainBelow !== null
    ? `The top class is predicted unless its score is below ${r.abstainBelow.toFixed(3)} (the mark; ${how} rule): then none is.`
    : `The class with the highest score is predicted (${how} rule).`;
}

/** The score a row must reach to be predicted: the label's threshold (multi-label) or the abstain level on the top class. */
export function thresholdFor(r: LiveRule | null | undefined, label: string, isTop: boolean): number | null {
  if (!r) return null;
  if (r.mode === 'multi-label') return r.thresholds?.[label] ?? 0.5;
  return isTop ? r.abstainBelow : null;
}
