/**
 * Ad-hoc exploration helper (issue 18, images part): embeds the HAM10000 sample once (multilayer features, all 8
 * views + 8 augmented copies at the build's seed-0 augmentation seed) into a persistent cache folder and writes one
 * n × 16 × 1856 float32 file, so head experiments need no backbone pass. Not part of `npm run bench`.
 * Usage: npx tsx bench/images.explore.ts OUT_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder } from '../src/domains/images/pixels/embedder.ts';
import { VIEW_NAMES } from '../src/domains/images/pixels/decode.ts';
import { FsArtifactStore } from '../src/storage/artifacts/fs.ts';
import { loadSample, sharedDataDir } from './images.data.ts';

const out = process.argv[2] ?? '/tmp/sb-img-exp';
mkdirSync(out, { recursive: true });
const dataDir = sharedDataDir()!;
const sample = loadSample(dataDir);
const embedder = createEmbedder({ artifacts: new FsArtifactStore(join(out, 'cache')), backbonePath: join(dataDir, 'onnx-models', 'mobilenetv2-12-int8.onnx'), features: 'multilayer' });
const t0 = performance.now();
const got = await embedder.embed(sample.images.map((im) => ({ key: im.key, load: async () => im.bytes })), { views: VIEW_NAMES, augment: { copies: 8, seed: 17 }, onProgress: (d, t) => { if (d % 20 === 0) console.error(`${d}/${t}`); } });
console.error(`embedded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const per = VIEW_NAMES.length + 8, d = embedder.dim;
const data = new Float32Array(sample.images.length * per * d);
sample.images.forEach((im, i) => got.get(im.key)!.forEach((v, j) => data.set(v, (i * per + j) * d)));
writeFileSync(join(out, 'multilayer.f32'), data);
writeFileSync(join(out, 'meta.json'), JSON.stringify({ n: sample.images.length, per, d, views: VIEW_NAMES, aug: 8, labels: sample.labels, y: sample.images.map((im) => im.label), groups: sample.images.map((im) => im.group) }));
