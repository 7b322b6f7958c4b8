import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import { openOnnxSession, type OnnxSession } from '../../../runtimes/onnx.ts';
import { INPUT_SIZE } from './decode.ts';
import { occludedTensors, occlusionSaliency } from './saliency.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const IMAGE = readFileSync(join(SHARED_DATA, 'ham10000-sample', 'mel', 'ISIC_0024482.jpg'));
const ITEM = 3 * INPUT_SIZE * INPUT_SIZE;

describe('occlusionSaliency', () => {
  let session: OnnxSession | undefined;
  afterAll(() => session?.dispose());

  /** Score = softmax probability of the class the unoccluded image gets (ImageNet head), all tensors in one run. */
  function scorer(calls: number[]) {
    let cls = -1;
    return async (tensors: Float32Array[]): Promise<Float64Array> => {
      session ??= await openOnnxSession(BACKBONE);
      calls.push(tensors.length);
      const batch = new Float32Array(tensors.length * ITEM);
      tensors.forEach((t, i) => batch.set(t, i * ITEM));
      const logits = await session.run(batch, tensors.length);
      const out = new Float64Array(tensors.length);
      for (let i = 0; i < tensors.length; i++) {
        const row = logits.subarray(i * 1000, (i + 1) * 1000);
        if (cls < 0) cls = row.indexOf(Math.max(...row));
        const max = Math.max(...row);
        let sum = 0;
        for (const v of row) sum += Math.exp(v - max);
        out[i] = Math.exp(row[cls]! - max) / sum;
      }
      return out;
    };
  }

  it('gives grid² drops from one batched scoring call on a real image', { timeout: 60_000 }, async () => {
    const calls: number[] = [];
    const result = await occlusionSaliency(IMAGE, scorer(calls));
    expect(result.grid).toBe(7);
    expect(result.values).toHaveLength(49);
    expect(calls).toEqual([50]); // the unoccluded image + 49 occlusions, one call
    expect(result.values.every(Number.isFinite)).toBe(true);
    expect(result.values.some((v) => v !== 0)).toBe(true);
  });

  it('occluding everything changes the score', async () => {
    const result = await occlusionSaliency(IMAGE, scorer([]), { grid: 1 });
    expect(result.values).toHaveLength(1);
    expect(Math.abs(result.values[0]!)).toBeGreaterThan(1e-3);
  });

  it('occlusion cells tile the image exactly once', () => {
    const base = new Float32Array(ITEM).fill(1);
    const cells = occludedTensors(base, 3);
    expect(cells).toHaveLength(9);
    const covered = new Uint8Array(ITEM);
    for (const t of cells) t.forEach((v, i) => { if (v === 0) covered[i]!++; });
    expect(covered.every((c) => c === 1)).toBe(true);
  });
});
