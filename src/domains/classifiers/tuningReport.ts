/**
 * The before/after report of a decision-rule tuning, shared by every classifier kind: the JSON shape stored as
 * `tuning-report.json`, and its rendering as one self-contained HTML page (inline CSS and SVG, no scripts or
 * external assets) and as the PR-curve figure.
 */
import { escapeXml, prCurvesSvg, type PrPanel } from './charts.ts';
import type { ClassificationReport } from './evaluate.ts';

/** The metric fields a report compares: `classificationReport`'s, without the counts and matrices. */
export type ReportMetrics = Pick<
  ClassificationReport,
  'accuracy' | 'precision_macro' | 'recall_macro' | 'macro_f1' | 'micro_precision' | 'micro_recall' | 'micro_f1' | 'hamming_loss' | 'mean_auc' | 'abstained' | 'per_label'
>;

export interface OperatingPoint {
  threshold: number;
  precision: number;
  recall: number;
}

export interface ReportCurve {
  label: string;
  /** ≤ ~200 points, thresholds ascending. */
  recall: number[];
  precision: number[];
  thresholds: number[];
  average_precision: number;
  /** On the test split: the tuned threshold's point, and the default's (0.5; multi-class: always answer). */
  chosen: OperatingPoint | null;
  baseline: OperatingPoint | null;
}

export interface TuningReport {
  kind: 'tuning-report';
  model: { id: string; name: string; version: number; kind: string };
  mode: 'multi-class' | 'multi-label';
  labels: string[];
  objective: string;
  source: string;
  folds: number;
  tunedAt: string;
  tuneSeconds: number;
  nTrain: number;
  nTest: number;
  /** multi-label: per-label thresholds; null for multi-class. */
  thresholds: Record<string, number> | null;
  /** multi-class: the abstain level (null = always answer). */
  abstainBelow: number | null;
  /** The chosen point on the out-of-fold validation scores (null where the objective could not be met). */
  validation: Record<string, (OperatingPoint & { f: number }) | null>;
  before: ReportMetrics;
  after: ReportMetrics;
  /** multi-label: one PR curve per label; multi-class: the selective curve ("answered") on the test split. */
  curves: ReportCurve[];
}

export function reportPanels(r: TuningReport): PrPanel[] {
  return r.curves.map((c) => ({
    label: c.label,
    recall: c.recall,
    precision: c.precision,
    ...(c.chosen ? { chosen: c.chosen } : {}),
    ...(c.baseline ? { baseline: c.baseline } : {}),
    note: `AP ${c.average_precision.toFixed(3)}${r.before.per_label[c.label] ? ` · ${r.before.per_label[c.label]!.support} positives in test` : ''}`,
  }));
}

export function reportSvg(r: TuningReport): string {
  const title = r.mode === 'multi-label'
    ? `${r.model.name}:${r.model.version} — precision-recall per label on the test split (objective ${r.objective})`
    : `${r.model.name}:${r.model.version} — answered precision vs recall on the test split (objective ${r.objective})`;
  return prCurvesSvg(reportPanels(r), title);
}

const n3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
const delta = (a: number, b: number) => {
  const d = b - a;
  const cls = d > 0.0005 ? 'up' : d < -0.0005 ? 'down' : '';
  return `<td class="${cls}">${d >= 0 ? '+' : ''}${d.toFixed(3)}</td>`;
};

export function reportHtml(r: TuningReport, svg = reportSvg(r)): string {
  const e = escapeXml;
  const rows = r.labels.map((l) => {
    const b = r.before.per_label[l], a = r.after.per_label[l];
    if (!b || !a) return '';
    const t = r.thresholds?.[l];
    const unmet = r.mode === 'multi-label' && r.validation[l] === null ? ' †' : '';
    return `<tr><td>${e(l)}</td><td>${b.support}</td><td>${n3(b.precision)}</td><td>${n3(b.recall)}</td><td>${n3(b.f1)}</td><td><b>${t === undefined ? '–' : n3(t)}</b>${unmet}</td><td>${n3(a.precision)}</td><td>${n3(a.recall)}</td><td>${n3(a.f1)}</td>${delta(b.f1, a.f1)}</tr>`;
  });
  const summary = (['macro_f1', 'micro_f1', 'precision_macro', 'recall_macro', 'micro_precision', 'micro_recall', 'accuracy'] as const)
    .map((k) => `<tr><td>${k}</td><td>${n3(r.before[k])}</td><td>${n3(r.after[k])}</td>${delta(r.before[k], r.after[k])}</tr>`);
  const rule = r.mode === 'multi-label'
    ? 'Per-label thresholds: a label is predicted when its score is at least its threshold (default 0.5).'
    : `Abstain level: the top class is predicted only when its score is at least ${r.abstainBelow === null ? '– (always answer)' : n3(r.abstainBelow)}; ${r.after.abstained ?? 0} of ${r.nTest} test documents are left unanswered.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tuning report — ${e(r.model.name)}:${r.model.version}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#f5f5f5}.up{color:#1a7f37}.down{color:#c62828}.muted{color:#666;font-size:12px}
svg{max-width:100%;height:auto}
</style></head><body>
<h1>Prediction-quality tuning — ${e(r.model.name)}:${r.model.version}</h1>
<p>Objective <b>${e(r.objective)}</b>, chosen on out-of-fold scores of the training part (${r.nTrain} documents, ${r.folds} folds); measured on the test split (${r.nTest} documents), which tuning never sees. Tuned ${e(r.tunedAt)} in ${r.tuneSeconds.toFixed(1)} s.</p>
<p>${e(rule)}</p>
<h2>Summary (test split)</h2>
<table><tr><th>metric</th><th>before (0.5)</th><th>after (tuned)</th><th>change</th></tr>${summary.join('')}</table>
<h2>Per label (test split)</h2>
<table><tr><th>label</th><th>support</th><th>precision @0.5</th><th>recall @0.5</th><th>F1 @0.5</th><th>threshold</th><th>precision</th><th>recall</th><th>F1</th><th>ΔF1</th></tr>${rows.join('')}</table>
${Object.values(r.validation).some((v) => v === null) && r.mode === 'multi-label' ? '<p class="muted">† no threshold reached the objective on the out-of-fold scores; the label keeps 0.5.</p>' : ''}
<h2>Curves</h2>
${svg}
<p class="muted">● tuned operating point, ○ default (threshold 0.5). Curves are on the test split, downsampled to at most 200 points per label; the full data is in tuning-report.json.</p>
</body></html>
`;
}
