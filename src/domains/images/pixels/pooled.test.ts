import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import type { onnx } from 'onnx-proto';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import { openOnnxSession } from '../../../runtimes/onnx.ts';
import { imageTensors, mulberry32, preprocessedRgb } from './decode.ts';
import { EXPORT_INPUT, EXPORT_OUTPUT, exportImageClassifier, loadOnnxProto } from './exportOnnx.ts';
import { POOLED_OUTPUT, pooledBackboneFile } from './pooled.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const IMAGE = join(SHARED_DATA, 'ham10000-sample', 'mel/ISIC_0024482.jpg');
const dir = mkdtempSync(join(tmpdir(), 'sb-pooled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tensor's values as numbers (raw little-endian int8/uint8/float32, or the typed fields). */
function values(t: onnx.ITensorProto): number[] {
  const raw = t.rawData;
  if (raw && raw.length) {
    const buf = Buffer.from(raw);
    if (t.dataType === 1) return Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(4 * i));
    if (t.dataType === 3) return Array.from(new Int8Array(buf.buffer, buf.byteOffset, buf.length));
    if (t.dataType === 2) return Array.from(buf);
  }
  return (t.floatData?.length ? t.floatData : t.int32Data ?? []).map(Number);
}

describe('the pooled penultimate layer of the bundled MobileNetV2', () => {
  it('is 1,280 wide and reproduces the backbone logits through its own int8 classifier (QLinearMatMul semantics by hand)', { timeout: 60_000 }, async () => {
    const path = await pooledBackboneFile(BACKBONE, dir);
    expect(await pooledBackboneFile(BACKBONE, dir)).toBe(path); // written once
    const [tensor] = await imageTensors(readFileSync(IMAGE), ['center']);
    const pooledSession = await openOnnxSession(path);
    expect(pooledSession.outputName).toBe(POOLED_OUTPUT);
    const feats = await pooledSession.run(tensor!, 1);
    await pooledSession.dispose();
    expect(feats.length).toBe(1280);
    expect(Math.min(...feats)).toBeGreaterThanOrEqual(0); // after ReLU6 and average pooling
    const full = await openOnnxSession(BACKBONE);
    const logits = await full.run(tensor!, 1);
    await full.dispose();

    // logits ≈ dequant(W)ᵀ · features + dequant(b), W/b/scales read from the original file's initializers
    const model = (await loadOnnxProto()).ModelProto.decode(readFileSync(BACKBONE));
    const init = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
    const deq = (q: string, s: string, z: string) => { const sc = values(init.get(s)!)[0]!, zp = values(init.get(z)!)[0]!; return values(init.get(q)!).map((v) => (v - zp) * sc); };
    const W = deq('classifier.1.weight_quantized', 'classifier.1.weight_scale', 'classifier.1.weight_zero_point');
    const b = deq('classifier.1.bias_quantized', 'classifier.1.bias_scale', 'classifier.1.bias_zero_point');
    expect(W.length).toBe(1280 * 1000);
    const mine = Array.from({ length: 1000 }, (_, c) => { let s = b[c]!; for (let j = 0; j < 1280; j++) s += feats[j]! * W[j * 1000 + c]!; return s; });
    const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((bi, v, i, arr) => (v > arr[bi]! ? i : bi), 0);
    expect(argmax(mine)).toBe(argmax(logits));
    // the same up to the int8 requantisation of the product and of the logits: near-perfect linear agreement
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
    const ma = mean(mine), mb = mean(logits);
    let sab = 0, saa = 0, sbb = 0;
    for (let c = 0; c < 1000; c++) { const x = mine[c]! - ma, y = logits[c]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.98);
  });

  it('exports a head trained on pooled features (the export cuts the backbone the same way)', { timeout: 60_000 }, async () => {
    const rand = mulberry32(5), d = 1280, k = 3;
    const head = {
      labels: ['a', 'b', 'c'], nFeatures: d, temperature: 1.3,
      coef: Float64Array.from({ length: k * d }, () => 0.05 * (rand() - 0.5)), intercept: Float64Array.from({ length: k }, () => rand() - 0.5),
      standardizer: { mean: Float64Array.from({ length: d }, () => rand()), scale: Float64Array.from({ length: d }, () => 1 + rand()) },
    };
    const bytes = await exportImageClassifier(BACKBONE, head);
    const session = await openOnnxSession(await pooledBackboneFile(BACKBONE, dir));
    const [tensor] = await imageTensors(readFileSync(IMAGE), ['center']);
    const f = await session.run(tensor!, 1);
    await session.dispose();
    const z = Array.from({ length: d }, (_, j) => (f[j]! - head.standardizer.mean[j]!) / head.standardizer.scale[j]!);
    const logits = Array.from({ length: k }, (_, c) => { let s = head.intercept[c]!; for (let j = 0; j < d; j++) s += head.coef[c * d + j]! * z[j]!; return s / head.temperature; });
    const e = logits.map((l) => Math.exp(l - Math.max(...logits))), sum = e.reduce((a, x) => a + x, 0);
    ortWeb.env.wasm.numThreads = 1;
    const web = await ortWeb.InferenceSession.create(bytes);
    const rgb = await preprocessedRgb(readFileSync(IMAGE));
    const out = await web.run({ [EXPORT_INPUT]: new ortWeb.Tensor('uint8', rgb, [1, 224, 224, 3]) });
    await web.release();
    const got = Array.from(out[EXPORT_OUTPUT]!.data as Float32Array);
    got.forEach((p, c) => expect(p).toBeCloseTo(e[c]! / sum, 4));
  });
});
