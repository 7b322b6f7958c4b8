import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../ml/__reference__/sharedData.ts';
import { openOnnxSession } from './onnx.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const ITEM = 3 * 224 * 224;

describe('openOnnxSession', () => {
  it('runs batches through an image backbone and rejects wrongly sized input', async () => {
    const session = await openOnnxSession(BACKBONE, { threads: 1 });
    try {
      expect(session).toMatchObject({ inputName: 'input', outputName: 'output', outputDim: 1000 });
      const batch = new Float32Array(2 * ITEM);
      batch.fill(0.5, ITEM); // second item differs from the first
      const [both, first] = await Promise.all([session.run(batch, 2), session.run(batch.subarray(0, ITEM), 1)]);
      expect(both.length).toBe(2000);
      // Batched rows equal single runs (the batch dimension does not mix items).
      for (const j of [0, 17, 999]) expect(both[j]).toBeCloseTo(first[j]!, 4);
      expect(both.subarray(0, 1000).some((v, j) => v !== both[1000 + j])).toBe(true);
      await expect(session.run(new Float32Array(10), 1)).rejects.toThrow(/expected 1×150528/);
    } finally {
      await session.dispose();
    }
  });

  it('fails clearly for a missing model file', async () => {
    await expect(openOnnxSession('/nonexistent/model.onnx')).rejects.toThrow();
  });
});
