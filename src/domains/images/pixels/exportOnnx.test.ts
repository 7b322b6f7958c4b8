import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import { openOnnxSession } from '../../../runtimes/onnx.ts';
import { imageTensors, mulberry32, preprocessedRgb } from './decode.ts';
import { ATTR_INT, ATTR_INTS, EXPORT_INPUT, EXPORT_OUTPUT, exportImageClassifier, exportedLabels, FLOAT, loadOnnxProto, UINT8, type ExportHead } from './exportOnnx.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const SAMPLES = ['mel/ISIC_0024482.jpg', 'nv/ISIC_0024354.jpg'].map((p) => join(SHARED_DATA, 'ham10000-sample', p));

/** A small random head with a fixed seed, so the test does not depend on training code. */
function randomHead(k: number, d: number, seed: number): ExportHead {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return {
    labels: Array.from({ length: k }, (_, i) => `label_${i}`),
    nFeatures: d,
    coef: Float64Array.from({ length: k * d }, () => 0.05 * normal()),
    intercept: Float64Array.from({ length: k }, () => 0.5 * normal()),
    standardizer: { mean: Float64Array.from({ length: d }, () => normal()), scale: Float64Array.from({ length: d }, () => 1 + 2 * rand()) },
    temperature: 1.7,
  };
}

/** Our own pipeline: onnxruntime-node backbone on the 'center' tensor, then the head in TypeScript. */
function headProba(head: ExportHead, features: Float32Array): number[] {
  const k = head.labels.length, d = head.nFeatures;
  const z = Array.from({ length: d }, (_, j) => (features[j]! - head.standardizer.mean[j]!) / head.standardizer.scale[j]!);
  const logits = Array.from({ length: k }, (_, c) => {
    let s = head.intercept[c]!;
    for (let j = 0; j < d; j++) s += head.coef[c * d + j]! * z[j]!;
    return s / head.temperature;
  });
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe('exportImageClassifier', () => {
  it('writes the enum values of onnx.proto (onnx-proto loads on first use, so they are spelled out)', async () => {
    const P = await loadOnnxProto();
    expect([FLOAT, UINT8, ATTR_INT, ATTR_INTS]).toEqual([P.TensorProto.DataType.FLOAT, P.TensorProto.DataType.UINT8, P.AttributeProto.AttributeType.INT, P.AttributeProto.AttributeType.INTS]);
  });

  it('runs in onnxruntime-web with the same probabilities as our pipeline', { timeout: 60_000 }, async () => {
    const head = randomHead(7, 1000, 42);
    const bytes = await exportImageClassifier(BACKBONE, head);
    expect(await exportedLabels(bytes)).toEqual(head.labels);

    const images = SAMPLES.map((p) => readFileSync(p));
    const backbone = await openOnnxSession(BACKBONE);
    const expected: number[][] = [];
    for (const img of images) {
      const [tensor] = await imageTensors(img, ['center']);
      expected.push(headProba(head, await backbone.run(tensor!, 1)));
    }
    await backbone.dispose();

    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual([EXPORT_INPUT]);
    expect(session.outputNames).toEqual([EXPORT_OUTPUT]);
    const rgb = await Promise.all(images.map((img) => preprocessedRgb(img)));
    const batch = new Uint8Array(rgb.length * rgb[0]!.length);
    rgb.forEach((r, i) => batch.set(r, i * r.length));
    const out = await session.run({ [EXPORT_INPUT]: new ortWeb.Tensor('uint8', batch, [rgb.length, 224, 224, 3]) });
    const probs = out[EXPORT_OUTPUT]!;
    expect(probs.dims).toEqual([2, 7]);
    const data = probs.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < 2; i++) {
      const row = Array.from(data.subarray(i * 7, (i + 1) * 7));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (let c = 0; c < 7; c++) maxDiff = Math.max(maxDiff, Math.abs(row[c]! - expected[i]![c]!));
    }
    await session.release();
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    // The two images really are classified differently (the comparison is not trivially uniform).
    expect(Math.max(...expected[0]!.map((p, c) => Math.abs(p - expected[1]![c]!)))).toBeGreaterThan(1e-3);
  });

  it('rejects a head that does not fit the backbone', async () => {
    const head = randomHead(3, 10, 1);
    await expect(exportImageClassifier(BACKBONE, head)).rejects.toMatchObject({ code: 'IMAGE_EXPORT_FAILED' });
  });
});
