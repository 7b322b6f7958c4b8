/**
 * Prediction-quality tuning (C2): per-label decision thresholds chosen on 5-fold out-of-fold scores of the
 * training part, before/after on the test part, side by side with the scikit-learn peer's `--tune-thresholds`
 * on the same split files (`../shared/peers/sklearn_textclf.py`, unchanged). Ours runs the product path in-process
 * on a temp embedded store: upload train + test → `text.train` (the test file as the user's test set) →
 * `text.tune` (objective F1) → its result. A reference-only "ceiling" row shows what thresholds chosen on the test
 * split itself would give (not a result: tuning never sees the test split).
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Job } from '../src/jobs/types.ts';
import { nanMean, perLabelRocAuc, precisionRecallFscore, predictTexts, thresholdScores } from '../src/ml/index.ts';
import { ablate, ablationMarkdown } from './quality.ablation.ts';
import { C_GRID, tuningAblation, tuningAblationMarkdown } from './quality.tuning.ts';
import { stackAblation, stackAblationMarkdown } from './quality.stack.ts';
import { tuneThresholds } from '../src/ml/diagnostics/index.ts';
import { toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import type { TuneResult } from '../src/domains/quality/tune.ts';
import type { BenchOptions, BenchResult } from './run.ts';
import { prepareDatasets, type PreparedDataset } from './text.data.ts';
import { ensurePeers, PEERS_DIR, PYTHON, REPO_ROOT } from './text.peers.ts';

export const name = 'quality';
export const title = 'Prediction-quality tuning: per-label thresholds from out-of-fold scores';

const DATA_DIR = join(REPO_ROOT, '..', 'shared', 'data');
const TARGETS: Record<string, number> = { jigsaw: 0.7, goemotions: 0.5 };
/**
 * The second tune of version 1: C chosen per label out of fold. balancedGrid stays off: nested on GoEmotions' train
 * part, choosing class weights per label as well gave +0.0102 over C = 4 against +0.0104 for C alone (twice the fits).
 */
const GRID_REQUEST = { cGrid: C_GRID, balancedGrid: false };
/**
 * The third and fourth tunes of version 1: C per label + the cross-label combiner over the chosen C's out-of-fold
 * logits (version 3), and with an NB word model's beside them (version 4), folded into the refit. Nested on
 * jigsaw-10k's train part: +0.0111 / +0.0088 held-out macro F1 and +0.0040 / +0.0055 OOF AUC over thresholds
 * alone, against +0.0011 / +0.0014 for C per label (bench/quality.stack.ts).
 */
const STACK_REQUEST = { cGrid: C_GRID, stack: true };
const STACK_NB_REQUEST = { cGrid: C_GRID, stack: true, stackNbWords: true };
/**
 * The fifth tune of version 1 (jigsaw-10k only): the combiner over the out-of-fold logits at every setting of the
 * grid (C × class weight none/balanced) and the NB model's, solved exactly (version 5). Nested on jigsaw-10k's train
 * part (outer 5 folds; every choice, the combiner and the refit on the other four): 0.6911 macro F1 and 0.9530 mean
 * AUC against 0.6882 / 0.9526 without the balanced settings, 0.6839 / 0.9513 for stack + NB words and 0.6666 /
 * 0.9467 for C per label. Not run on GoEmotions: there stacking lowers the out-of-fold macro F1 (every C + NB:
 * 0.4578 against 0.4864 for C per label) and its 35k rows × 28 labels × 9 bases combiner takes many minutes.
 */
const STACK_ALLC_REQUEST = { cGrid: C_GRID, balancedGrid: true, stack: true, stackNbWords: true, stackAllC: true };
/**
 * The sixth tune of version 1 (jigsaw-10k only): as the fifth, with an NB-weighted char model as one more base
 * (version 6). Nested on jigsaw-10k's train part (5 cuts × 2 seeds, bases at every C + NB words): +0.0043 held-out
 * macro F1 and +0.0005 OOF mean AUC from the NB char base; word-only and char-only bases instead gave +0.0042, both
 * together +0.0030, a balanced C = 4 base −0.0003 (bench/quality.stack.ts for the first; the others an ad-hoc run on the
 * same cached bases, recorded in docs/benchmarks.md).
 */
const STACK_ALLC_NBC_REQUEST = { ...STACK_ALLC_REQUEST, stackNbChars: true };
/**
 * The seventh tune of version 1 (jigsaw-10k only): as the fifth, with a case-sensitive char_wb model (lowercase off)
 * as one more base (version 7; the refit appends its block). Nested on jigsaw-10k's train part (bench/quality.case.ts,
 * 5 cuts × 2 seeds, against the fifth's bases): 0.6788 → 0.6850 held-out macro F1 (+0.0067 / +0.0058 per seed), OOF
 * mean AUC 0.9521 → 0.9524; per-document shape features (caps share, '!', length…) as combiner inputs gave +0.0056
 * but cannot be folded into one linear model over the n-gram blocks, so they are not an option. On this test split
 * (2026-12-07 09:48Z, jigsaw only, printed by bench/quality.print.ts, peer 0.6755 in the same run) version 7 reached
 * mean ROC AUC 0.9536 (version 5: 0.9529) but tuned macro F1 0.6850 (version 5: 0.6948) with the same ceiling
 * (0.7163 / 0.7164): like version 6, a nested gain lost to the rare labels' threshold noise, so it stays opt-in.
 */
const STACK_ALLC_CASE_REQUEST = { ...STACK_ALLC_REQUEST, stackCaseChars: true };
/**
 * The eighth tune of version 1 (jigsaw-10k only): version 5's request with thresholdBags 50 (each threshold the mean
 * logit of the F1-best thresholds of 50 bootstrap resamples of the out-of-fold rows; version 8, the same refit as
 * version 5). Nested on jigsaw-10k's train part (bench/quality.steady.ts, 5 cuts × 2 seeds): +0.0045 / +0.0054.
 * On the test split (2026-12-07 10:28Z, jigsaw only, printed by bench/quality.print.ts, load ~2-3): tuned macro F1
 * 0.6990 vs version 5's 0.6948 in the same run (same model: AUC 0.9529, ceiling 0.7164; peer 0.6755).
 */
const STACK_ALLC_BAGS_REQUEST = { ...STACK_ALLC_REQUEST, thresholdBags: 50 };
/**
 * The ninth tune of version 1 (jigsaw-10k only): version 8's request with stackShape (seven per-document shape
 * features — capitals, all-caps words, '!' / '?', length, stretched runs, punctuation — as more combiner inputs; the
 * refit keeps them as a shape block). Nested on jigsaw-10k's train part (STEADY_SHAPE=1 bench/quality.steady.ts,
 * 5 cuts × 2 seeds): plain thresholds 0.6807 / 0.6768 → 0.6843 / 0.6843, bagged 0.6853 / 0.6822 → 0.6846 / 0.6864.
 */
const STACK_ALLC_BAGS_SHAPE_REQUEST = { ...STACK_ALLC_BAGS_REQUEST, stackShape: true };
/**
 * The tenth tune of version 1 (jigsaw-10k only): version 9's request with stackEncoder (a pretrained sentence
 * encoder's 512-d embeddings, a logistic regression per label on them as one more base; the refit keeps an encoder
 * block, so scoring embeds every text). Nested on jigsaw-10k's train part (bench/quality.encoder.ts, 5 cuts × 2
 * seeds, beside version 5's bases): plain thresholds +0.0151, bagged +0.0122; with the shape features, plain 0.6980.
 */
const STACK_ALLC_BAGS_SHAPE_ENCODER_REQUEST = { ...STACK_ALLC_BAGS_SHAPE_REQUEST, stackEncoder: true };
/** The jigsaw-only stacked tunes, in order (versions 5 to 10). */
export const JIGSAW_EXTRA = [
  { version: 5, request: STACK_ALLC_REQUEST, what: 'stack over every grid setting + NB words', how: 'the combiner, solved exactly, sees the out-of-fold logits at every C × class weight of the grid and the NB model\'s; the refit fits every setting' },
  { version: 6, request: STACK_ALLC_NBC_REQUEST, what: 'stack over every grid setting + NB words + NB chars', how: 'as version 5 with an NB-weighted char model as one more base' },
  { version: 7, request: STACK_ALLC_CASE_REQUEST, what: 'stack over every grid setting + NB words + case-sensitive chars', how: 'as version 5 with a case-sensitive char_wb model (lowercase off) as one more base; the refit appends its block' },
  { version: 8, request: STACK_ALLC_BAGS_REQUEST, what: 'version 5 with bagged thresholds', how: 'as version 5, each threshold the mean logit of the F1-best thresholds of 50 bootstrap resamples of the out-of-fold rows' },
  { version: 9, request: STACK_ALLC_BAGS_SHAPE_REQUEST, what: 'version 8 with shape features', how: 'as version 8, with seven per-document shape features (capitals, !/?, length, stretched runs, punctuation) as more combiner inputs; the refit keeps them as a shape block' },
  { version: 10, request: STACK_ALLC_BAGS_SHAPE_ENCODER_REQUEST, what: 'version 9 with a sentence encoder', how: 'as version 9, with a logistic regression on a pretrained sentence encoder\'s embeddings (Universal Sentence Encoder lite) as one more base; the refit keeps an encoder block' },
] as const;

export interface PeerTuned {
  version: string;
  fit_seconds: number;
  tune_seconds: number;
  macro_f1: number;
  tuned_macro_f1: number;
  mean_auc: number;
  per_label_f1: Record<string, number>;
  tuned_per_label_f1: Record<string, number>;
  thresholds: Record<string, number>;
}

export interface Measured {
  result: TuneResult;
  trainSeconds: number;
  tuneWallSeconds: number;
  ceilingMacroF1: number;
  meanAuc: number;
}

/** The plain tune of version 1, the C-grid tune (C per label, refitted as version 2) and the stacked one (version 3). */
interface OursRun extends Measured {
  grid: Measured;
  stack: Measured;
  stackNb: Measured;
  /** jigsaw-10k only: versions 5 to 10 (JIGSAW_EXTRA order). */
  extra: Measured[];
}

export async function runPeer(ds: Pick<PreparedDataset, 'trainFile' | 'testFile'>): Promise<PeerTuned> {
  const { stdout } = await promisify(execFile)(PYTHON, [join(PEERS_DIR, 'sklearn_textclf.py'), ds.trainFile, ds.testFile, '--multi-label', '--tune-thresholds'], { maxBuffer: 64 << 20, timeout: 120 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as PeerTuned;
}

/** Ours on a temp embedded store: the two files uploaded, version 1 trained; `measure` runs one `text.tune` of it. */
export interface OursSession {
  plainTrainSeconds: number;
  measure(request: Record<string, unknown>): Promise<Measured>;
  close(): Promise<void>;
}

export async function oursSession(ds: { key: string } & Pick<PreparedDataset, 'trainFile' | 'testFile'>, dir: string): Promise<OursSession> {
  const dataDir = mkdtempSync(join(dir, `ours-${ds.key}-`));
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }));
  const close = async () => {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await ctx.queue.startWorker();
    const wait = async (job: Job): Promise<Job> => {
      const done = await ctx.queue.wait(job.id, { timeoutMs: 120 * 60_000 });
      if (done.status !== 'succeeded') throw new Error(`${done.type} ${done.status}: ${done.error?.code} ${done.error?.message}`);
      return done;
    };
    for (const [file, dsName] of [[ds.trainFile, 'train'], [ds.testFile, 'test']] as const) {
      const up = await ctx.services.datasets.upload({ stream: createReadStream(file), fileName: basename(file), name: dsName, header: 'false' });
      await ctx.services.datasets.waitForImport(up.job.id);
    }
    const trained = await wait((await ctx.services.text.train({ name: 'bench', dataset: 'train', testDataset: 'test', mode: 'multi-label' })).job);
    const docs = parseLabeledText(readFileSync(ds.testFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const measure = async (request: Record<string, unknown>): Promise<Measured> => {
      const started = performance.now();
      const tuned = await wait((await ctx.services.textQuality.tune('bench', 1, { objective: 'f1', folds: 5, ...request })).job);
      const tuneWallSeconds = (performance.now() - started) / 1000;
      const result = tuned.result as TuneResult;
      // Reference only: thresholds chosen on the test split itself (what no honest tuning can beat).
      const model = await ctx.services.models.get('bench', result.model.version);
      const predictor = await ctx.services.text.predictor(model.id);
      const test = toArrays(docs, predictor.rule.labels, 'multi-label');
      const scores = await predictTexts(predictor.classifier, test.texts);
      const n = predictor.rule.labels.length;
      const ceiling = tuneThresholds(scores, test.truth, n, { kind: 'f-beta', beta: 1 }).thresholds;
      const ceilingMacroF1 = precisionRecallFscore(test.truth, thresholdScores(scores, n, ceiling), n).macro.f;
      const meanAuc = nanMean(perLabelRocAuc(scores, test.truth, n));
      return { result, trainSeconds: model.metrics.train_seconds as number, tuneWallSeconds, ceilingMacroF1, meanAuc };
    };
    return { plainTrainSeconds: (trained.result as { train_seconds: number }).train_seconds, measure, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function runOurs(ds: PreparedDataset, dir: string): Promise<OursRun> {
  const ours = await oursSession(ds, dir);
  try {
    const plain = await ours.measure({});
    const grid = await ours.measure(GRID_REQUEST);
    const stack = await ours.measure(STACK_REQUEST);
    const stackNb = await ours.measure(STACK_NB_REQUEST);
    const extra: Measured[] = [];
    if (ds.key === 'jigsaw') for (const x of JIGSAW_EXTRA) extra.push(await ours.measure(x.request));
    return { ...plain, trainSeconds: ours.plainTrainSeconds, grid, stack, stackNb, extra };
  } finally {
    await ours.close();
  }
}

const f3 = (x: number | undefined | null) => (x === undefined || x === null ? '–' : x.toFixed(3));
const f4 = (x: number | undefined | null) => (x === undefined || x === null ? '–' : x.toFixed(4));
const sgn = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;

function datasetMarkdown(ds: PreparedDataset, ours: OursRun, peer: PeerTuned | undefined, smoke: boolean): { md: string[]; summary: Record<string, unknown> } {
  const r = ours.result, g = ours.grid.result;
  const labels = r.before.labels;
  const md = [
    `### ${ds.title} — ${ds.nTrain.toLocaleString('en-US')} train / ${ds.nTest.toLocaleString('en-US')} test documents, ${labels.length} labels`,
    '',
    `Split: ${ds.split}. Thresholds are chosen on 5-fold out-of-fold scores of the train part only; every figure below is on the test part.`,
    '',
    `| label | test support | ${peer ? 'sklearn F1 @0.5 | sklearn F1 tuned | sklearn threshold | ' : ''}ours F1 @0.5 | ours F1 tuned | ours threshold | ours, per label: C (refit), weight | F1 tuned | threshold |`,
    `|---|---:|${peer ? '---:|---:|---:|' : ''}---:|---:|---:|---:|---:|---:|`,
  ];
  for (const l of labels) {
    const b = r.before.per_label[l]!, a = r.after.per_label[l]!;
    md.push(`| ${l} | ${b.support} | ${peer ? `${f3(peer.per_label_f1[l])} | ${f3(peer.tuned_per_label_f1[l])} | ${f3(peer.thresholds[l])} | ` : ''}${f3(b.f1)} | **${f3(a.f1)}** | ${f3(r.thresholds?.[l])} | ${g.labelC?.[l] ?? '–'}${g.labelClassWeight?.[l] === 'balanced' ? ' bal.' : ''} | **${f3(g.after.per_label[l]?.f1)}** | ${f3(g.thresholds?.[l])} |`);
  }
  const ourGain = r.after.macro_f1 - r.before.macro_f1;
  md.push(`| **macro F1** (all ${labels.length} labels${labels.includes('clean') ? ', `clean` included as in the peer' : ''}) | | ${peer ? `${f4(peer.macro_f1)} | ${f4(peer.tuned_macro_f1)} | | ` : ''}${f4(r.before.macro_f1)} | **${f4(r.after.macro_f1)}** | | | **${f4(g.after.macro_f1)}** | |`);
  md.push(`| macro F1 gain | | ${peer ? `| ${sgn(peer.tuned_macro_f1 - peer.macro_f1)} | | ` : ''}| **${sgn(ourGain)}** | | | ${sgn(g.after.macro_f1 - g.before.macro_f1)} | |`);
  md.push(`| micro F1 | | ${peer ? '– | – | | ' : ''}${f4(r.before.micro_f1)} | ${f4(r.after.micro_f1)} | | | ${f4(g.after.micro_f1)} | |`);
  md.push('');
  md.push('| system | train (s) | tuning (s): 5 folds + choice | mean ROC AUC (test) | AUC vs peer | tuned macro F1 | vs peer |');
  md.push('|---|---:|---:|---:|---:|---:|---:|');
  if (peer) md.push(`| scikit-learn ${peer.version} (\`--tune-thresholds\`: KFold(5, shuffle, seed 0)) | ${peer.fit_seconds.toFixed(1)} | ${peer.tune_seconds.toFixed(1)} | ${f4(peer.mean_auc)} | – | ${f4(peer.tuned_macro_f1)} | – |`);
  md.push(`| **Sagebrush** (\`text.tune\`: iterative-stratified 5 folds, objective F1) | ${ours.trainSeconds.toFixed(1)} | ${r.tuneSeconds.toFixed(1)} (job wall ${ours.tuneWallSeconds.toFixed(1)}) | ${f4(ours.meanAuc)} | ${peer ? sgn(ours.meanAuc - peer.mean_auc) : '–'} | **${f4(r.after.macro_f1)}** | ${peer ? sgn(r.after.macro_f1 - peer.tuned_macro_f1) : '–'} |`);
  const G = ours.grid;
  md.push(`| **Sagebrush, C per label** (\`text.tune\` \`${JSON.stringify(GRID_REQUEST)}\`: ${C_GRID.length * (GRID_REQUEST.balancedGrid ? 2 : 1)} fits per fold on one set of features, chosen per label out of fold, refitted as version 2 at C·4/5) | ${G.trainSeconds.toFixed(1)} (the refit) | ${g.tuneSeconds.toFixed(1)} (job wall ${G.tuneWallSeconds.toFixed(1)}) | ${f4(G.meanAuc)} | ${peer ? sgn(G.meanAuc - peer.mean_auc) : '–'} | **${f4(g.after.macro_f1)}** | ${peer ? sgn(g.after.macro_f1 - peer.tuned_macro_f1) : '–'} |`);
  const S = ours.stack, s = S.result, SN = ours.stackNb, sn = SN.result;
  md.push(`| **Sagebrush, C per label + stack** (\`text.tune\` \`${JSON.stringify(STACK_REQUEST)}\`: the C-grid folds; per label a logistic regression over all labels' out-of-fold logits at the chosen C, thresholds on its cross-fitted scores; refitted as version 3 with the combiner folded into one linear model) | ${S.trainSeconds.toFixed(1)} (the refit) | ${s.tuneSeconds.toFixed(1)} (job wall ${S.tuneWallSeconds.toFixed(1)}) | ${f4(S.meanAuc)} | ${peer ? sgn(S.meanAuc - peer.mean_auc) : '–'} | **${f4(s.after.macro_f1)}** | ${peer ? sgn(s.after.macro_f1 - peer.tuned_macro_f1) : '–'} |`);
  md.push(`| **Sagebrush, C per label + stack + NB words** (\`${JSON.stringify(STACK_NB_REQUEST)}\`: as above with an NB-weighted word model fitted in the same folds as a second base; version 4) | ${SN.trainSeconds.toFixed(1)} (the refit) | ${sn.tuneSeconds.toFixed(1)} (job wall ${SN.tuneWallSeconds.toFixed(1)}) | ${f4(SN.meanAuc)} | ${peer ? sgn(SN.meanAuc - peer.mean_auc) : '–'} | **${f4(sn.after.macro_f1)}** | ${peer ? sgn(sn.after.macro_f1 - peer.tuned_macro_f1) : '–'} |`);
  const extra = ours.extra.map((m, i) => ({ m, x: JIGSAW_EXTRA[i]! }));
  for (const { m, x } of extra) {
    const e = m.result;
    md.push(`| **Sagebrush, ${x.what}** (\`${JSON.stringify(x.request)}\`: ${x.how}; version ${x.version}) | ${m.trainSeconds.toFixed(1)} (the refit) | ${e.tuneSeconds.toFixed(1)} (job wall ${m.tuneWallSeconds.toFixed(1)}) | ${f4(m.meanAuc)} | ${peer ? sgn(m.meanAuc - peer.mean_auc) : '–'} | **${f4(e.after.macro_f1)}** | ${peer ? sgn(e.after.macro_f1 - peer.tuned_macro_f1) : '–'} |`);
  }
  md.push(`| ceiling: our model, thresholds chosen on the test split itself (reference only) | | | | | ${f4(ours.ceilingMacroF1)} (per-label C/weight: ${f4(G.ceilingMacroF1)}; + stack: ${f4(S.ceilingMacroF1)}; + stack + NB: ${f4(SN.ceilingMacroF1)}${extra.map(({ m, x }) => `; version ${x.version}: ${f4(m.ceilingMacroF1)}`).join('')}) | |`);
  md.push('');
  const target = TARGETS[ds.key];
  if (target !== undefined && !smoke) {
    for (const [what, m] of [['thresholds only (version 1)', ours], ['C per label (version 2)', G], ['C per label + stack (version 3)', S], ['C per label + stack + NB words (version 4)', SN], ...extra.map(({ m, x }) => [`${x.what} (version ${x.version})`, m] as const)] as const) {
      const f = m.result.after.macro_f1, met = f >= target;
      const auc = peer ? ` Mean ROC AUC ≥ scikit-learn's + 0.005: **${m.meanAuc >= peer.mean_auc + 0.005 ? 'met' : 'missed'}** (${sgn(m.meanAuc - peer.mean_auc)}); tuned macro F1 above scikit-learn's: **${f > peer.tuned_macro_f1 ? 'met' : 'missed'}**.` : '';
      md.push(`Targets, ${what}: tuned macro F1 ≥ ${target.toFixed(2)} **${met ? 'met' : 'missed'}** — ${f4(f)}${met ? '' : ` (short by ${(target - f).toFixed(4)}; ceiling ${f4(m.ceilingMacroF1)})`}.${auc}${peer ? ` Tuning time ${(m.result.tuneSeconds / peer.tune_seconds).toFixed(2)}× the peer's.` : ''}`);
      md.push('');
    }
  }
  return {
    md,
    summary: {
      before: r.before.macro_f1, after: r.after.macro_f1, meanAuc: Number(ours.meanAuc.toFixed(4)),
      cPerLabel: { after: g.after.macro_f1, meanAuc: Number(G.meanAuc.toFixed(4)), tuneSeconds: g.tuneSeconds, labelC: g.labelC },
      stack: { after: s.after.macro_f1, meanAuc: Number(S.meanAuc.toFixed(4)), tuneSeconds: s.tuneSeconds, refitSeconds: S.trainSeconds },
      stackNb: { after: sn.after.macro_f1, meanAuc: Number(SN.meanAuc.toFixed(4)), tuneSeconds: sn.tuneSeconds, refitSeconds: SN.trainSeconds },
      ...Object.fromEntries(extra.map(({ m, x }) => [`version${x.version}`, { after: m.result.after.macro_f1, meanAuc: Number(m.meanAuc.toFixed(4)), tuneSeconds: m.result.tuneSeconds, refitSeconds: m.trainSeconds }])), gain: Number(ourGain.toFixed(4)), tuneSeconds: r.tuneSeconds, ceiling: Number(ours.ceilingMacroF1.toFixed(4)),
      ...(peer ? { peer: { before: peer.macro_f1, after: peer.tuned_macro_f1, tuneSeconds: peer.tune_seconds } } : {}),
    },
  };
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const smoke = options.smoke;
  const log = (m: string) => console.error(`[quality] ${m}`);
  if (!existsSync(DATA_DIR)) {
    const msg = `Skipped: shared data not found at ${DATA_DIR} (needs jigsaw-toxic-balanced-10k/ and goemotions/).`;
    return { markdown: msg, summary: { skipped: msg } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-quality-'));
  try {
    // SAGEBRUSH_BENCH_QUALITY_DATASETS=jigsaw (comma list) runs only those; SAGEBRUSH_BENCH_QUALITY_ABLATION=0 skips the ablation (jigsaw only)
    const only = process.env.SAGEBRUSH_BENCH_QUALITY_DATASETS?.split(',').map((x) => x.trim()).filter(Boolean);
    const prepared = prepareDatasets(DATA_DIR, dir, smoke);
    const datasets = only ? prepared.datasets.filter((d) => only.includes(d.key)) : prepared.datasets;
    const skipped = [...prepared.skipped, ...prepared.datasets.filter((d) => !datasets.includes(d)).map((d) => `${d.key} (not in SAGEBRUSH_BENCH_QUALITY_DATASETS)`)];
    if (datasets.length === 0) {
      const msg = `Skipped: no data set found (${skipped.join('; ')}).`;
      return { markdown: msg, summary: { skipped: msg } };
    }
    const peers = ensurePeers(!smoke, log);
    const hasPeer = peers.available.includes('sklearn');
    const md: string[] = [
      '**Method.** The same Comprehend multi-label CSV split files as the text benchmark (`bench/text.data.ts`: jigsaw-10k split 80/20 by our iterative stratification, seed 42, rows without a label are `clean`; GoEmotions: official train → dev). '
        + 'Peer: `sklearn_textclf.py TRAIN TEST --multi-label --tune-thresholds` — per-label thresholds maximising F1 on the precision-recall curve of 5-fold out-of-fold scores of TRAIN, applied to TEST; its macro F1 averages every label of the files, `clean` included, and so does ours. '
        + 'Ours: the product path on a temp embedded store — the two files uploaded, `text.train` with TEST as the user test set (default options), then `text.tune` `{objective: "f1", folds: 5}` (out-of-fold scores from models with the version\'s own options on iterative-stratified folds of the train part, F1-maximising threshold per label, first maximum as `np.argmax`), a second `text.tune` of version 1 with `cGrid` (issue 18: the folds fitted at each C of the grid, C chosen per label on the same out-of-fold scores by their best-threshold F1, the train part refitted as version 2 with that per-label C × (k−1)/k — the fold models\' regularisation per row — thresholds from the chosen C\'s out-of-fold scores), and a third and fourth with `cGrid` + `stack` (the combiner of `src/domains/quality/tuneStack.ts`, without and with the NB word base, refitted as versions 3 and 4), and on jigsaw-10k a fifth with `balancedGrid` + `stackAllC` as well (the combiner over the out-of-fold logits at every C × class weight of the grid and the NB model\'s; version 5) and a sixth with `stackNbChars` added (an NB-weighted char model as one more base; version 6). The combiners are solved exactly (Newton) where rows × features² × labels ≤ 4e8 (jigsaw-10k), by 15 dual passes above (GoEmotions). None ever reads the test part for a choice. '
        + '"tuning (s)" is the job\'s own `tuneSeconds` (k trainings + choice); the wall time adds scoring the test part and writing the report.',
      '',
    ];
    const summary: Record<string, unknown> = {};
    for (const ds of datasets) {
      log(`${ds.key}: ours (train + tune)`);
      const ours = await runOurs(ds, dir);
      let peer: PeerTuned | undefined;
      if (hasPeer) {
        log(`${ds.key}: scikit-learn --tune-thresholds`);
        peer = await runPeer(ds);
      }
      const out = datasetMarkdown(ds, ours, peer, smoke);
      md.push(...out.md);
      // the ablation runs on jigsaw only: on GoEmotions (28 labels, 5× the rows) each row would take many minutes
      if (!smoke && ds.key === 'jigsaw' && process.env.SAGEBRUSH_BENCH_QUALITY_ABLATION !== '0') md.push(...ablationMarkdown(ds.title, await ablate(ds.trainFile, log)));
      // the tuning choices (per-label C, smoothed thresholds) on both data sets, train part only
      if (!smoke && process.env.SAGEBRUSH_BENCH_QUALITY_ABLATION !== '0') md.push(...tuningAblationMarkdown(ds.title, await tuningAblation(ds.trainFile, log)));
      // text.tune stack's variants (jigsaw only: on GoEmotions each combiner fit takes ~15 s; combiner C 0.1 and 1)
      if (!smoke && ds.key === 'jigsaw' && process.env.SAGEBRUSH_BENCH_QUALITY_ABLATION !== '0') md.push(...stackAblationMarkdown(ds.title, await stackAblation(ds.trainFile, log)));
      summary[ds.key] = out.summary;
    }
    const notes = [...skipped.map((s) => `${s}: skipped`), ...peers.notes.filter((n) => n.startsWith('sklearn') || n.startsWith('peer') || n.startsWith('apt'))];
    if (notes.length) md.push(`Notes: ${notes.join('; ')}.`, '');
    return { markdown: md.join('\n'), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
