/**
 * Image features ablation (issue 18): the backbone's 1,000 ImageNet logits vs its pooled penultimate layer (1,280-d,
 * pixels/pooled.ts) vs both side by side, through the same head (StandardScaler + class-balanced multinomial LR,
 * src/ml) and the scikit-learn peer on the same features and folds. Repeated lesion-grouped CV: 5 folds of
 * `stratifiedGroupKFold` at 3 fold seeds, predictions pooled over the seeds. 4 views (TTA4); the variants are those
 * of the images bench. Embedding runs through the product's embedder (`features: 'logits' | 'pooled'`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbedder } from '../src/domains/images/pixels/embedder.ts';
import type { ViewName } from '../src/domains/images/pixels/decode.ts';
import { stratifiedGroupKFold } from '../src/ml/split/group.ts';
import { FsArtifactStore } from '../src/storage/artifacts/fs.ts';
import { crossValidate, peerAvailable, runPeer, scores, type Embeddings, type Variant } from './images.cv.ts';
import { loadSample, sharedDataDir, type Sample } from './images.data.ts';
import type { BenchOptions, BenchResult } from './run.ts';

export const name = 'images-features';
export const title = 'Image features: ImageNet logits vs the pooled penultimate layer (HAM10000 sample, repeated lesion-grouped CV)';

const TTA4: ViewName[] = ['center', 'hflip', 'vflip', 'rot180'];
const SEEDS = [0, 1, 2];
const C = 0.03;
const VARIANTS: Variant[] = [
  { name: '1 view (centre)', train: 'center', test: 'center' },
  { name: '4-view TTA, head trained on all 4 views', train: 'each', test: 'mean-proba' },
];

async function embed(sample: Sample, backbonePath: string, dir: string, features: 'logits' | 'pooled'): Promise<{ E: Embeddings; seconds: number }> {
  const embedder = createEmbedder({ artifacts: new FsArtifactStore(mkdtempSync(join(dir, `cache-${features}-`))), backbonePath, features });
  await embedder.embedOne(sample.images[0]!.bytes, ['center']);
  const t = performance.now();
  const got = await embedder.embed(sample.images.map((im) => ({ key: im.key, load: async () => im.bytes })), { views: TTA4 });
  const seconds = (performance.now() - t) / 1000, d = embedder.dim, n = sample.images.length;
  const data = new Float32Array(n * TTA4.length * d);
  sample.images.forEach((im, i) => got.get(im.key)!.slice(0, TTA4.length).forEach((v, j) => data.set(v, (i * TTA4.length + j) * d)));
  return { E: { n, views: TTA4.length, d, data }, seconds };
}

function concat(a: Embeddings, b: Embeddings): Embeddings {
  const d = a.d + b.d, data = new Float32Array(a.n * a.views * d);
  for (let r = 0; r < a.n * a.views; r++) {
    data.set(a.data.subarray(r * a.d, (r + 1) * a.d), r * d);
    data.set(b.data.subarray(r * b.d, (r + 1) * b.d), r * d + a.d);
  }
  return { n: a.n, views: a.views, d, data };
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const log = (m: string) => console.error(`[images-features] ${m}`);
  const dataDir = sharedDataDir();
  const backbonePath = dataDir && join(dataDir, 'onnx-models', 'mobilenetv2-12-int8.onnx');
  if (!dataDir || !backbonePath || !existsSync(backbonePath)) return { markdown: 'Skipped: shared data not found.', summary: { skipped: true } };
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-imgfeat-'));
  try {
    const sample = loadSample(dataDir, options.smoke ? 2 : Infinity);
    const k = sample.labels.length;
    const y = Int32Array.from(sample.images.map((im) => im.label));
    const groups = sample.images.map((im) => im.group);
    const sets: { name: string; E: Embeddings; seconds: number | null }[] = [];
    for (const f of ['logits', 'pooled'] as const) {
      log(`embedding (${f})`);
      const r = await embed(sample, backbonePath, dir, f);
      sets.push({ name: f === 'logits' ? 'ImageNet logits (1,000-d, before)' : 'pooled penultimate layer (1,280-d)', ...r });
    }
    sets.push({ name: 'logits + pooled side by side (2,280-d)', E: concat(sets[0]!.E, sets[1]!.E), seconds: null });
    const peerOk = !options.smoke && peerAvailable();
    const md = [
      `**Method.** ${sample.images.length} images, ${k} classes, groups = lesion_id. 5-fold \`stratifiedGroupKFold\` at fold seeds ${SEEDS.join(', ')}; each seed's out-of-fold predictions are pooled into one balanced accuracy (± = the spread of the per-seed figures). Head: standardise + class-balanced multinomial LR, C ${C} (ours: src/ml fitSoftmax; peer: scikit-learn on the same features and folds). Embedding time: 4 views, cold cache, 1 onnxruntime thread.`,
      '',
      '| features | variant | embed 4 views (s) | ours BA (pooled over seeds) | ours macro F1 | scikit-learn BA | scikit-learn macro F1 |',
      '|---|---|---:|---:|---:|---:|---:|',
    ];
    const summary: Record<string, unknown> = {};
    for (const s of sets) {
      for (const v of VARIANTS) {
        const truth: number[] = [], ours: number[] = [], peer: number[] = [];
        const perSeed: number[] = [];
        for (const seed of SEEDS) {
          log(`${s.name} / ${v.name} / seed ${seed}`);
          const folds = stratifiedGroupKFold(y, groups, options.smoke ? 2 : 5, seed);
          const r = crossValidate(s.E, y, folds, k, C, v);
          perSeed.push(r.balancedAccuracy);
          truth.push(...y);
          ours.push(...r.proba);
          if (peerOk) {
            const p = await runPeer(dir, s.E, y, folds, k, C, 500, [v]);
            peer.push(...p.variants[v.name]!.proba);
          }
        }
        const o = scores(truth, Float64Array.from(ours), k);
        const p = peer.length ? scores(truth, Float64Array.from(peer), k) : null;
        const spread = Math.max(...perSeed) - Math.min(...perSeed);
        md.push(`| ${s.name} | ${v.name} | ${s.seconds === null ? '–' : s.seconds.toFixed(1)} | **${o.balancedAccuracy.toFixed(3)}** (± ${(spread / 2).toFixed(3)}) | ${o.macroF1.toFixed(3)} | ${p ? p.balancedAccuracy.toFixed(3) : '–'} | ${p ? p.macroF1.toFixed(3) : '–'} |`);
        summary[`${s.name} / ${v.name}`] = { ours: Number(o.balancedAccuracy.toFixed(3)), peer: p ? Number(p.balancedAccuracy.toFixed(3)) : null };
      }
    }
    md.push('', 'The end-to-end quick/standard builds (the `images` bench) still embed with the service\'s default features (`logits`) until the service passes `features: \'pooled\'` to createEmbedder (src/domains/images/service.ts, not changed here).');
    return { markdown: md.join('\n'), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
