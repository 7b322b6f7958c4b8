/**
 * The detector ONNX contract (notes/detection.md) on onnxruntime-node: input `image` uint8 [H, W, 3] RGB at the
 * image's own size; outputs `boxes` float32 [N, 4] (x1, y1, x2, y2 in input pixels), `scores` float32 [N],
 * `class_ids` int64 [N], after NMS; metadata `sagebrush.classes` (JSON array) and `sagebrush.kind` = 'detector'.
 * One session per model; calls are serialised (onnxruntime runs one at a time per session anyway).
 */
import type ort from 'onnxruntime-node';
import { AppError } from '../../core/errors.ts';
import { loadOnnxProto } from '../images/pixels/exportOnnx.ts';
import type { Detection } from './formats/types.ts';
import type { RgbImage } from './pixels.ts';

export const DETECTOR_KIND = 'detector';
const OUTPUTS = ['boxes', 'scores', 'class_ids'] as const;

function invalid(problem: string): AppError {
  return new AppError('DETECTION_MODEL_INVALID', `The detector ONNX file ${problem}.`, {
    problems: [{ field: 'onnx', problem, fix: 'Retrain with `sagebrush detection train`, or use a file that follows the detector contract (input image uint8 [H,W,3]; outputs boxes, scores, class_ids).' }],
  });
}

/** Adds the contract's metadata_props (classes, kind) and training facts to an exported file. */
export async function withDetectorMetadata(bytes: Uint8Array, classes: string[], facts: Record<string, unknown> = {}): Promise<Uint8Array> {
  const P = await loadOnnxProto();
  const model = P.ModelProto.decode(bytes);
  const keep = (model.metadataProps ?? []).filter((p) => !p.key?.startsWith('sagebrush.'));
  model.metadataProps = [
    ...keep,
    { key: 'sagebrush.classes', value: JSON.stringify(classes) },
    { key: 'sagebrush.kind', value: DETECTOR_KIND },
    ...Object.entries(facts).map(([k, v]) => ({ key: `sagebrush.${k}`, value: JSON.stringify(v) })),
  ];
  model.producerName = 'sagebrush';
  model.docString = 'Sagebrush detector: uint8 RGB image [H,W,3] → resize + normalise → MobileNetV2 (stride 8/16) → FCOS head → NMS → boxes, scores, class_ids';
  return P.ModelProto.encode(model).finish();
}

/** The classes a detector file declares (DETECTION_MODEL_INVALID without them). */
export async function detectorClasses(bytes: Uint8Array): Promise<string[]> {
  const model = (await loadOnnxProto()).ModelProto.decode(bytes);
  const entry = (model.metadataProps ?? []).find((p) => p.key === 'sagebrush.classes');
  try {
    const v = JSON.parse(entry?.value ?? '') as unknown;
    if (Array.isArray(v) && v.every((c) => typeof c === 'string')) return v as string[];
  } catch { /* below */ }
  throw invalid("has no 'sagebrush.classes' metadata (a JSON array of class names)");
}

export interface Detector {
  classes: string[];
  detect(image: RgbImage, options?: { minScore?: number }): Promise<Detection[]>;
  dispose(): Promise<void>;
}

type OrtModule = typeof ort;
let ortLib: Promise<OrtModule> | undefined;
export function loadOrt(): Promise<OrtModule> {
  ortLib ??= import('onnxruntime-node').then((m) => ((m as { default?: OrtModule }).default ?? (m as unknown as OrtModule)));
  return ortLib;
}

export async function openDetector(bytes: Uint8Array, options: { threads?: number } = {}): Promise<Detector> {
  const classes = await detectorClasses(bytes);
  const ortm = await loadOrt();
  const session = await ortm.InferenceSession.create(bytes, {
    intraOpNumThreads: Math.max(1, options.threads ?? 1),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  if (session.inputNames[0] !== 'image' || !OUTPUTS.every((o) => session.outputNames.includes(o))) {
    await session.release();
    throw invalid(`has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; expected image → ${OUTPUTS.join(', ')}`);
  }
  let queue: Promise<unknown> = Promise.resolve();
  async function run(img: RgbImage, minScore: number): Promise<Detection[]> {
    const out = await session.run({ image: new ortm.Tensor('uint8', img.data, [img.height, img.width, 3]) });
    const boxes = out.boxes!.data as Float32Array;
    const scores = out.scores!.data as Float32Array;
    const ids = out.class_ids!.data as BigInt64Array;
    const dets: Detection[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! < minScore) continue;
      // Clip to the image: the head may reach slightly past an edge.
      const clip = (v: number, max: number): number => Math.min(Math.max(v, 0), max);
      dets.push({
        classId: Number(ids[i]), score: scores[i]!,
        x1: clip(boxes[4 * i]!, img.width), y1: clip(boxes[4 * i + 1]!, img.height), x2: clip(boxes[4 * i + 2]!, img.width), y2: clip(boxes[4 * i + 3]!, img.height),
      });
    }
    return dets.sort((a, b) => b.score - a.score);
  }
  return {
    classes,
    detect(img, opts = {}) {
      const next = queue.then(() => run(img, opts.minScore ?? 0));
      queue = next.catch(() => undefined);
      return next;
    },
    async dispose() {
      await queue.catch(() => undefined);
      await session.release();
    },
  };
}
