/**
 * Image features ablation (issue 18): the pooled penultimate layer (1,280-d, pixels/pooled.ts; the builds' default
 * before this change) vs multi-layer features (those + the global averages of the last 3 trunk stages, 1,856-d,
 * pixels/multilayer.ts), on / off, through
 *  - the builds' whole procedure in nested lesion-grouped CV (bench/images.nested.ts: each outer fold's candidate
 *    choice made by inner CV on its training part only, the quick and standard plans of src/domains/images/plan.ts),
 *  - our head at a fixed C next to scikit-learn on the same features and folds (the reference),
 *  - a leakage check: the same nested CV with the labels permuted must score at chance (1/k).
 * 5-fold `stratifiedGroupKFold` at fold seeds 0, 1, 2; out-of-fold predictions pooled per seed. One embedding pass
 * (multilayer; its first 1,280 columns are exactly the pooled features).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate, ImageFeatures } from '../src/domains/images/fit.ts';
import { buildPlan } from '../src/domains/images/plan.ts';
import { createEmbedder } from '../src/domains/images/pixels/embedder.ts';
import { mulberry32 } from '../src/domains/images/pixels/decode.ts';
import { stratifiedGroupKFold } from '../src/ml/split/group.ts';
import { FsArtifactStore } from '../src/storage/artifacts/fs.ts';
import { crossValidate, peerAvailable, runPeer, scores, type Embeddings, type Variant } from './images.cv.ts';
import { loadSample, sharedDataDir } from './images.data.ts';
import { firstColumns, nestedCv } from './images.nested.ts';
import type { BenchOptions, BenchResult } from './run.ts';

export const name = 'images-features';
export const title = 'Image features: pooled penultimate layer vs multi-layer (HAM10000 sample, nested lesion-grouped CV)';

const SEEDS = [0, 1, 2];
/** The previous standard plan (best of 3 C by inner CV) costs ~7 min per fold seed in nested CV: seed 0 only. */
const PREVIOUS_STANDARD_SEEDS = [0];
const C = 0.03;
/** The build's augmentation seed for request seed 0 (train.ts: seed × 1000 + 17). */
const AUG_SEED = 17;
const VARIANTS: Variant[] = [
  { name: '1 view (centre)', train: 'center', test: 'center' },
  { name: '4-view TTA, head trained on all 4 views', train: 'each', test: 'mean-proba' },
];

/** n × views × d; with `aug`, the augmented copies follow the views on the views axis. */
function toEmbeddings(f: ImageFeatures, aug = false): Embeddings {
  const n = f.items.length, views = f.viewNames.length + (aug ? f.items[0]!.aug.length : 0), d = f.dim;
  const data = new Float32Array(n * views * d);
  f.items.forEach((it, i) => [...it.views, ...(aug ? it.aug : [])].forEach((v, j) => data.set(v, (i * views + j) * d)));
  return { n, views, d, data };
}

/** The standard head with one part switched off (ablation; each is a single fixed candidate, so nested CV = plain CV). */
function standardAblation(std: Candidate): Array<{ what: string; c: Candidate }> {
  return [
    { what: 'C ensemble, no test-time copies', c: { ...std, name: 'no-tta-copies', testAugment: false } },
    { what: 'single C 0.03, test-time copies', c: { ...std, name: 'single-C0.03', C: 0.03, Cs: undefined } },
    { what: 'single C 0.03, no test-time copies', c: { ...std, name: 'single-C0.03-no-tta-copies', C: 0.03, Cs: undefined, testAugment: false } },
  ];
}

/** The standard plan before issue 18's head work: best of C 0.01 / 0.03 / 0.1 by inner grouped CV, views only at test. */
function previousStandard(std: Candidate): Candidate[] {
  return [0.01, 0.03, 0.1].map((C) => ({ ...std, name: `4view+aug4-each-C${C}`, C, Cs: undefined, testAugment: false }));
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const log = (m: string) => console.error(`[images-features] ${m}`);
  const dataDir = sharedDataDir();
  const backbonePath = dataDir && join(dataDir, 'onnx-models', 'mobilenetv2-12-int8.onnx');
  if (!dataDir || !backbonePath || !existsSync(backbonePath)) return { markdown: 'Skipped: shared data not found.', summary: { skipped: true } };
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-imgfeat-'));
  try {
    const smoke = options.smoke;
    const sample = loadSample(dataDir, smoke ? 3 : Infinity);
    const k = sample.labels.length;
    const y = Int32Array.from(sample.images.map((im) => im.label));
    const groups = sample.images.map((im) => im.group);
    const std = buildPlan('standard');
    const embedder = createEmbedder({ artifacts: new FsArtifactStore(join(dir, 'cache')), backbonePath, features: 'multilayer' });
    log(`embedding ${sample.images.length} images (multilayer, ${std.views.length} views + ${std.augment} augmented copies)`);
    const t0 = performance.now();
    const got = await embedder.embed(sample.images.map((im) => ({ key: im.key, load: async () => im.bytes })), { views: std.views, augment: { copies: std.augment, seed: AUG_SEED } });
    const embedSeconds = (performance.now() - t0) / 1000;
    const multi: ImageFeatures = {
      viewNames: std.views,
      dim: embedder.dim,
      items: sample.images.map((im) => { const v = got.get(im.key)!; return { views: v.slice(0, std.views.length), aug: v.slice(std.views.length) }; }),
    };
    const sets = [
      { name: 'pooled (1,280-d; off)', f: firstColumns(multi, 1280) },
      { name: `multilayer (${multi.dim.toLocaleString('en-US')}-d: + stages of 96, 160, 320 ch; on)`, f: multi },
    ];
    const folds = smoke ? 2 : 5;
    const md = [
      `**Method.** ${sample.images.length} images, ${k} classes, groups = lesion_id; ${folds}-fold \`stratifiedGroupKFold\` at fold seeds ${SEEDS.join(', ')} (the previous standard plan's nested CV: seed ${PREVIOUS_STANDARD_SEEDS.join(', ')} only, ~7 min a seed), each seed's out-of-fold predictions pooled into one balanced accuracy (mean over seeds, ± = half the spread). ` +
        `**Nested** = the build's whole procedure: per outer fold its candidates (plan.ts) are scored by grouped 5-fold CV on the outer training part only and the winner (balanced accuracy + ½ macro F1) is refitted there and scores the untouched outer fold — nothing is chosen on the images it is scored on. ` +
        `**Fixed C** = our head (standardise + class-balanced multinomial LR, C ${C}) and scikit-learn on the same features and folds (the reference). Embedding: one multilayer pass, ${std.views.length} views + ${std.augment} augmented copies per image, ${embedSeconds.toFixed(1)} s cold (1 onnxruntime thread); the pooled rows use its first 1,280 columns (identical to the pooled features).`,
      '',
      '| features | evaluation | ours BA | ours macro F1 | scikit-learn BA | chosen (outer folds × seeds) | seconds |',
      '|---|---|---:|---:|---:|---|---:|',
    ];
    const summary: Record<string, unknown> = { embedSeconds: +embedSeconds.toFixed(1) };
    const peerOk = !smoke && peerAvailable();
    const seeds = smoke ? [0] : SEEDS;
    const fmtBa = (xs: number[]) => `**${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)}** (± ${((Math.max(...xs) - Math.min(...xs)) / 2).toFixed(3)})`;
    const mean = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
    const row = (line: string) => { md.push(line); log(line); };
    const nested = (plan: 'quick' | 'standard', planSeeds: number[]) => {
      for (const s of sets) {
        log(`nested CV: ${plan} plan, ${s.name}`);
        const ba: number[] = [], f1: number[] = [], chosen: Record<string, number> = {};
        let seconds = 0;
        for (const seed of planSeeds) {
          const r = nestedCv(s.f, y, groups, k, buildPlan(plan).candidates, seed, folds, smoke ? 2 : 5);
          ba.push(r.balancedAccuracy); f1.push(r.macroF1); seconds += r.seconds;
          for (const [c, m] of Object.entries(r.chosen)) chosen[c] = (chosen[c] ?? 0) + m;
        }
        row(`| ${s.name} | nested, ${plan} build's candidates, fold seed${planSeeds.length > 1 ? 's' : ''} ${planSeeds.join(', ')} | ${fmtBa(ba)} | ${mean(f1).toFixed(3)} | – | ${Object.entries(chosen).map(([c, m]) => `${c} ×${m}`).join(', ')} | ${seconds.toFixed(0)} |`);
        summary[`${plan} / ${s.name}`] = { nestedBa: mean(ba), macroF1: mean(f1) };
      }
    };
    nested('quick', seeds);
    for (const v of VARIANTS) {
      for (const s of sets) {
        log(`fixed C: ${v.name}, ${s.name}`);
        const E = toEmbeddings(s.f);
        const ours: number[] = [], oursF1: number[] = [], peer: number[] = [];
        for (const seed of seeds) {
          const fo = stratifiedGroupKFold(y, groups, folds, seed);
          const r = crossValidate(E, y, fo, k, C, v);
          ours.push(r.balancedAccuracy); oursF1.push(r.macroF1);
          if (peerOk) peer.push(scores(y, Float64Array.from((await runPeer(dir, E, y, fo, k, C, 500, [v])).variants[v.name]!.proba), k).balancedAccuracy);
        }
        row(`| ${s.name} | fixed C ${C}, ${v.name} | ${fmtBa(ours)} | ${mean(oursF1).toFixed(3)} | ${peer.length ? mean(peer).toFixed(3) : '–'} | – | – |`);
        summary[`${v.name} / ${s.name}`] = { ours: mean(ours), peer: peer.length ? mean(peer) : null };
      }
    }
    // leakage check: permuted labels (same groups) through the same nested procedure → chance
    const rand = mulberry32(7);
    const perm = Int32Array.from(y);
    for (let i = perm.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
    log('leakage check: permuted labels');
    const leak = nestedCv(sets[1]!.f, perm, groups, k, buildPlan('quick').candidates, 0, folds, smoke ? 2 : 5);
    const bound = 1 / k + 0.15;
    row(`| ${sets[1]!.name} | leakage check: nested, quick, labels permuted (seed 0) | ${leak.balancedAccuracy.toFixed(3)} | ${leak.macroF1.toFixed(3)} | – | chance = ${(1 / k).toFixed(3)}; ${leak.balancedAccuracy <= bound ? 'ok' : '**SUSPICIOUS**'} (bound ${bound.toFixed(3)}) | ${leak.seconds.toFixed(0)} |`);
    summary.leakage = { permutedBa: +leak.balancedAccuracy.toFixed(3), ok: leak.balancedAccuracy <= bound };
    nested('standard', seeds);
    // The standard head's parts on / off (pooled; fixed candidates, so nothing is chosen), and scikit-learn fitting the
    // same head (StandardScaler + LR at each C, coefficients averaged, views + copies averaged at test) on the same folds.
    const stdCandidate = buildPlan('standard').candidates[0]!;
    const pooledSet = sets[0]!;
    if (stdCandidate.Cs && stdCandidate.testAugment) {
      const nViews = std.views.length, nAug = stdCandidate.augment;
      const E = peerOk ? toEmbeddings(pooledSet.f, true) : null;
      const peerVariant: Variant = { name: 'standard head', train: 'each', test: 'mean-proba', trainViews: Array.from({ length: nViews + nAug }, (_, i) => i), testViews: Array.from({ length: nViews + nAug }, (_, i) => i), Cs: [...stdCandidate.Cs] };
      const rowsOf = [{ what: `${stdCandidate.name} (the standard build's head)`, c: stdCandidate }, ...standardAblation(stdCandidate)];
      for (const { what, c } of rowsOf) {
        log(`standard ablation: ${what}`);
        const ba: number[] = [], f1: number[] = [], peer: number[] = [];
        let seconds = 0;
        for (const seed of seeds) {
          const r = nestedCv(pooledSet.f, y, groups, k, [c], seed, folds, smoke ? 2 : 5);
          ba.push(r.balancedAccuracy); f1.push(r.macroF1); seconds += r.seconds;
          if (E && c === stdCandidate) peer.push(scores(y, Float64Array.from((await runPeer(dir, E, y, stratifiedGroupKFold(y, groups, folds, seed), k, C, 500, [peerVariant])).variants[peerVariant.name]!.proba), k).balancedAccuracy);
        }
        row(`| ${pooledSet.name} | standard head, ${what}, fold seeds ${seeds.join(', ')} (fixed: nested = plain CV) | ${fmtBa(ba)} | ${mean(f1).toFixed(3)} | ${peer.length ? mean(peer).toFixed(3) : '–'} | – | ${seconds.toFixed(0)} |`);
        summary[`standard head / ${what}`] = { ba: mean(ba), macroF1: mean(f1), peer: peer.length ? mean(peer) : null };
      }
      log('leakage check: standard plan, permuted labels');
      const leakStd = nestedCv(pooledSet.f, perm, groups, k, buildPlan('standard').candidates, 0, folds, smoke ? 2 : 5);
      row(`| ${pooledSet.name} | leakage check: nested, standard, labels permuted (seed 0) | ${leakStd.balancedAccuracy.toFixed(3)} | ${leakStd.macroF1.toFixed(3)} | – | chance = ${(1 / k).toFixed(3)}; ${leakStd.balancedAccuracy <= bound ? 'ok' : '**SUSPICIOUS**'} (bound ${bound.toFixed(3)}) | ${leakStd.seconds.toFixed(0)} |`);
      summary.leakageStandard = { permutedBa: +leakStd.balancedAccuracy.toFixed(3), ok: leakStd.balancedAccuracy <= bound };
      log('nested CV: previous standard plan (best C by inner CV)');
      const prevSeeds = smoke ? [0] : PREVIOUS_STANDARD_SEEDS;
      const prev = prevSeeds.map((seed) => nestedCv(pooledSet.f, y, groups, k, previousStandard(stdCandidate), seed, folds, smoke ? 2 : 5));
      const chosenPrev: Record<string, number> = {};
      for (const r of prev) for (const [c, m] of Object.entries(r.chosen)) chosenPrev[c] = (chosenPrev[c] ?? 0) + m;
      row(`| ${pooledSet.name} | nested, previous standard plan (best of C 0.01 / 0.03 / 0.1 by inner CV, views only at test), fold seed ${prevSeeds.join(', ')} | ${fmtBa(prev.map((r) => r.balancedAccuracy))} | ${mean(prev.map((r) => r.macroF1)).toFixed(3)} | – | ${Object.entries(chosenPrev).map(([c, m]) => `${c} ×${m}`).join(', ')} | ${prev.reduce((a, r) => a + r.seconds, 0).toFixed(0)} |`);
    }
    if (smoke) md.push('', 'Smoke run: 3 images per label, 2 folds, 1 seed; figures are meaningless.');
    return { markdown: md.join('\n'), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
