/**
 * The detector ONNX file in a second runtime: the same bytes run in onnxruntime-node (the server and edge agents)
 * and onnxruntime-web 1.30 (wasm, the browser) give the same boxes, scores and classes, for the contract's input
 * (uint8 RGB [H, W, 3], any size) — so everything, resize to decoding and NMS, is inside the one file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRgb, type RgbImage } from './pixels.ts';
import { detectorClasses, openDetector } from './onnxDetector.ts';
import { HAS_METAL_TAGS, HAS_TORCH, METAL_TAGS, NO_TORCH_MESSAGE } from './testing.ts';
import { exportUntrainedDetector } from './trainer.ts';

async function sample(width: number, height: number): Promise<RgbImage> {
  if (HAS_METAL_TAGS) {
    const bytes = readFileSync(join(METAL_TAGS, 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg'));
    return decodeRgb(await sharp(bytes).resize(width, height, { fit: 'fill' }).jpeg().toBuffer());
  }
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return { data: new Uint8Array(noise), width, height };
}

describe.skipIf(!HAS_TORCH)('detector ONNX in two runtimes', () => {
  let onnx: Uint8Array;
  beforeAll(async () => {
    onnx = await exportUntrainedDetector(['scratch', 'dent']);
  }, 300_000);

  it('carries the contract: input image uint8 [H,W,3], outputs boxes/scores/class_ids, metadata classes + kind', async () => {
    expect(await detectorClasses(onnx)).toEqual(['scratch', 'dent']);
    const ort = await import('onnxruntime-web');
    const s = await ort.InferenceSession.create(onnx);
    expect(s.inputNames).toEqual(['image']);
    expect(s.outputNames).toEqual(['boxes', 'scores', 'class_ids']);
    await s.release();
  });

  for (const [w, h] of [[450, 300], [640, 360]] as const) {
    it(`onnxruntime-node and onnxruntime-web agree on a ${w}×${h} image`, async () => {
      const img = await sample(w, h);
      const node = await openDetector(onnx);
      const fromNode = await node.detect(img);
      await node.dispose();
      const ort = await import('onnxruntime-web');
      const s = await ort.InferenceSession.create(onnx);
      const out = await s.run({ image: new ort.Tensor('uint8', img.data, [h, w, 3]) });
      await s.release();
      const scores = Array.from(out.scores!.data as Float32Array);
      const boxes = Array.from(out.boxes!.data as Float32Array);
      const ids = Array.from(out.class_ids!.data as BigInt64Array, Number);
      expect(out.boxes!.dims).toEqual([scores.length, 4]);
      expect(out.class_ids!.type).toBe('int64');
      expect(scores.length).toBeGreaterThan(0);
      expect(fromNode).toHaveLength(scores.length);
      // Same set of detections (an untrained head ties many scores, so match rather than compare in order).
      const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
      const web = scores.map((score, i) => ({ score, classId: ids[i]!, box: [clip(boxes[4 * i]!, w), clip(boxes[4 * i + 1]!, h), clip(boxes[4 * i + 2]!, w), clip(boxes[4 * i + 3]!, h)] }));
      const unmatched = fromNode.filter((d) => !web.some((o) => o.classId === d.classId && Math.abs(o.score - d.score) < 1e-4
        && [d.x1, d.y1, d.x2, d.y2].every((v, k) => Math.abs(v - o.box[k]!) < 0.05)));
      expect(unmatched).toEqual([]);
      // Boxes are in the input's own pixels (the graph scales back from its 448×288 network input).
      expect(Math.max(...fromNode.map((d) => d.x2))).toBeGreaterThan(w * 0.8);
      expect(Math.max(...fromNode.map((d) => d.y2))).toBeGreaterThan(h * 0.8);
    }, 120_000);
  }
});

describe.skipIf(HAS_TORCH)('detector ONNX in two runtimes (no torch)', () => {
  it.skip(NO_TORCH_MESSAGE, () => {});
});
