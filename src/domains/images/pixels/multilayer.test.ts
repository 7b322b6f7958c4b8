import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import { openOnnxSession } from '../../../runtimes/onnx.ts';
import { imageTensors, mulberry32, preprocessedRgb } from './decode.ts';
import { createEmbedder } from './embedder.ts';
import { EXPORT_INPUT, EXPORT_OUTPUT, exportImageClassifier, loadOnnxProto } from './exportOnnx.ts';
import { cutToMultiLayer, MULTILAYER_OUTPUT, multiLayerBackboneFile, trunkStages } from './multilayer.ts';
import { pooledBackboneFile } from './pooled.ts';
import { FsArtifactStore } from '../../../storage/artifacts/fs.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const IMAGE = join(SHARED_DATA, 'ham10000-sample', 'mel/ISIC_0024482.jpg');
const dir = mkdtempSync(join(tmpdir(), 'sb-multilayer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scalar initializer's value (float32 scale or uint8 zero point, raw or typed). */
function scalar(model: { graph?: { initializer?: { name?: string | null; rawData?: Uint8Array | null; dataType?: number | null; floatData?: number[] | null; int32Data?: number[] | null }[] | null } | null }, name: string): number {
  const t = model.graph!.initializer!.find((x) => x.name === name)!;
  if (t.rawData?.length) return t.dataType === 1 ? Buffer.from(t.rawData).readFloatLE(0) : t.rawData[0]!;
  return Number((t.floatData?.length ? t.floatData : t.int32Data)![0]);
}

const HAS_DATA = existsSync(BACKBONE) && existsSync(IMAGE);

describe.skipIf(!HAS_DATA)('multi-layer features of the bundled MobileNetV2 (pooled + the last 3 trunk stages)', () => {
  it('finds the 96-, 160- and 320-channel stage outputs and appends their global averages after the pooled 1,280', async () => {
    const P = await loadOnnxProto();
    const model = P.ModelProto.decode(readFileSync(BACKBONE));
    expect(trunkStages(model.graph!, '627_quantized').map((s) => [s.tensor, s.width])).toEqual([['426_quantized', 96], ['452_quantized', 160], ['624_quantized', 320]]);
    expect(cutToMultiLayer(model)).toEqual({ total: 1856, blocks: [1280, 96, 160, 320] });
    expect(model.graph!.output!.map((o) => o.name)).toEqual([MULTILAYER_OUTPUT]);
  });

  it('outputs the pooled features unchanged, then each stage\'s mean of (q − zero point) × scale, read independently', { timeout: 60_000 }, async () => {
    const [tensor] = await imageTensors(readFileSync(IMAGE), ['center']);
    const multi = await openOnnxSession(await multiLayerBackboneFile(BACKBONE, dir));
    expect(multi.outputName).toBe(MULTILAYER_OUTPUT);
    const feats = await multi.run(tensor!, 1);
    await multi.dispose();
    expect(feats.length).toBe(1856);
    const pooled = await openOnnxSession(await pooledBackboneFile(BACKBONE, dir));
    const p = await pooled.run(tensor!, 1);
    await pooled.dispose();
    expect(Array.from(feats.subarray(0, 1280))).toEqual(Array.from(p));

    // the raw uint8 stage tensors as extra outputs of the original graph; dequantize and average them by hand
    const P = await loadOnnxProto();
    const model = P.ModelProto.decode(readFileSync(BACKBONE));
    const stages = [['426', 96], ['452', 160], ['624', 320]] as const;
    model.graph!.output = stages.map(([t]) => ({ name: `${t}_quantized`, type: { tensorType: { elemType: 2 } } }));
    const raw = await ort.InferenceSession.create(P.ModelProto.encode(model).finish(), { intraOpNumThreads: 1 });
    const out = await raw.run({ [raw.inputNames[0]!]: new ort.Tensor('float32', tensor!, [1, 3, 224, 224]) });
    await raw.release();
    let offset = 1280, maxDiff = 0;
    for (const [t, width] of stages) {
      const q = out[`${t}_quantized`]!;
      expect(q.dims[1]).toBe(width);
      const hw = Number(q.dims[2]) * Number(q.dims[3]);
      const scale = scalar(model, `${t}_scale`), zero = scalar(model, `${t}_zero_point`);
      const data = q.data as Uint8Array;
      for (let c = 0; c < width; c++) {
        let s = 0;
        for (let i = 0; i < hw; i++) s += (data[c * hw + i]! - zero) * scale;
        maxDiff = Math.max(maxDiff, Math.abs(s / hw - feats[offset + c]!));
      }
      offset += width;
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('exports a head trained on multi-layer features: onnxruntime-web matches our embedder + head to 1e-4', { timeout: 60_000 }, async () => {
    const rand = mulberry32(11), d = 1856, k = 4;
    const head = {
      labels: ['a', 'b', 'c', 'd'], nFeatures: d, temperature: 0.9, features: 'multilayer' as const,
      coef: Float64Array.from({ length: k * d }, () => 0.05 * (rand() - 0.5)), intercept: Float64Array.from({ length: k }, () => rand() - 0.5),
      standardizer: { mean: Float64Array.from({ length: d }, () => 0.1 * rand()), scale: Float64Array.from({ length: d }, () => 0.5 + rand()) },
    };
    const bytes = await exportImageClassifier(BACKBONE, head);
    const embedder = createEmbedder({ artifacts: new FsArtifactStore(join(dir, 'cache')), backbonePath: BACKBONE, features: 'multilayer' });
    expect([embedder.dim, embedder.backboneId]).toEqual([1856, expect.stringMatching(/^[0-9a-f]{16}-multilayer$/)]);
    const [f] = await embedder.embedOne(readFileSync(IMAGE), ['center']);
    const z = Array.from({ length: d }, (_, j) => (f![j]! - head.standardizer.mean[j]!) / head.standardizer.scale[j]!);
    const logits = Array.from({ length: k }, (_, c) => { let s = head.intercept[c]!; for (let j = 0; j < d; j++) s += head.coef[c * d + j]! * z[j]!; return s / head.temperature; });
    const e = logits.map((l) => Math.exp(l - Math.max(...logits))), sum = e.reduce((a, x) => a + x, 0);
    ortWeb.env.wasm.numThreads = 1;
    const web = await ortWeb.InferenceSession.create(bytes);
    const out = await web.run({ [EXPORT_INPUT]: new ortWeb.Tensor('uint8', await preprocessedRgb(readFileSync(IMAGE)), [1, 224, 224, 3]) });
    await web.release();
    const got = Array.from(out[EXPORT_OUTPUT]!.data as Float32Array);
    got.forEach((p, c) => expect(Math.abs(p - e[c]! / sum)).toBeLessThan(1e-4));
    // a pooled-width head marked multilayer does not fit: a clear export error, not a broken file
    await expect(exportImageClassifier(BACKBONE, { ...head, nFeatures: 1280, coef: head.coef.subarray(0, k * 1280), standardizer: { mean: head.standardizer.mean.subarray(0, 1280), scale: head.standardizer.scale.subarray(0, 1280) } })).rejects.toMatchObject({ code: 'IMAGE_EXPORT_FAILED' });
  });
});

// Only registered when the data is missing, so a normal run reports no skipped test.
if (!HAS_DATA) {
  describe('multi-layer features', () => {
    it.skip(`backbone or HAM10000 sample not found under ${SHARED_DATA}: skipping`, () => {});
  });
}
