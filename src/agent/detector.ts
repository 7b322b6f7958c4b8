/**
 * A detector on the device: the ONNX file of the detection contract (input `image` uint8 [H,W,3] RGB; outputs
 * `boxes` [N,4], `scores` [N], `class_ids` [N]) run with onnxruntime-node, and image bytes decoded to RGB with sharp.
 * Only JPEG, PNG and WebP are decoded (sniffed by magic bytes); anything else is EDGE_IMAGE_UNREADABLE.
 */
import type ort from 'onnxruntime-node';
import sharp from 'sharp';
import { AppError } from '../core/errors.ts';
import { sniffImageType } from '../core/imageType.ts';

export interface Detection { classId: number; score: number; x1: number; y1: number; x2: number; y2: number }
export interface Rgb { data: Uint8Array; width: number; height: number }

type OrtModule = typeof ort;
let ortLib: Promise<OrtModule> | undefined;
export const loadOrt = (): Promise<OrtModule> => (ortLib ??= import('onnxruntime-node').then((m) => (m as { default?: OrtModule }).default ?? (m as unknown as OrtModule)));

/** JPEG and WebP by the core sniff; PNG keeps its 4-byte check (sharp refuses a broken signature as corrupt). */
const MAGIC: Array<(b: Buffer) => boolean> = [
  (b) => b.length > 3 && sniffImageType(b) === 'jpeg',
  (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47,
  (b) => b.length > 12 && sniffImageType(b) === 'webp',
];

/** Bytes → RGB pixels (EXIF-oriented). Throws EDGE_IMAGE_UNREADABLE naming the file. */
export async function decodeRgb(bytes: Buffer, name: string): Promise<Rgb> {
  const unreadable = (why: string) => new AppError('EDGE_IMAGE_UNREADABLE', `${name} ${why}; it was moved to the agent's rejected/ folder.`, { problems: [{ field: name, problem: why, fix: 'Put only JPEG, PNG or WebP images in the watched folder.' }] });
  if (!MAGIC.some((m) => m(bytes))) throw unreadable(bytes.length === 0 ? 'is empty' : 'is not a JPEG, PNG or WebP image');
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: 50_000_000 }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw unreadable(`is corrupt (${(err as Error).message.split('\n')[0]})`);
  }
}

export interface Detector {
  readonly modelId: string;
  readonly classes: string[];
  detect(img: Rgb): Promise<Detection[]>;
  dispose(): Promise<void>;
}

/** Loads and checks a detector file: EDGE_MODEL_LOAD_FAILED when it is not ONNX or not the contract. */
export async function openDetector(path: string, modelId: string, threads = 1): Promise<Detector> {
  const O = await loadOrt();
  let session: ort.InferenceSession;
  try {
    session = await O.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  } catch (err) {
    throw new AppError('EDGE_MODEL_LOAD_FAILED', `Model ${modelId} is not a loadable ONNX file: ${(err as Error).message.split('\n')[0]}`);
  }
  const missing = ['boxes', 'scores', 'class_ids'].filter((o) => !session.outputNames.includes(o));
  if (!session.inputNames.includes('image') || missing.length) {
    await session.release();
    throw new AppError('EDGE_MODEL_LOAD_FAILED', `Model ${modelId} is not a detector: it needs input "image" and outputs boxes, scores, class_ids (missing ${['image', ...missing].filter((n) => n !== 'image' || !session.inputNames.includes('image')).join(', ')}).`);
  }
  let classes: string[] = [];
  try {
    const meta = (session as unknown as { handler?: { metadata?: { customMetadataMap?: Record<string, string> } } }).handler?.metadata?.customMetadataMap;
    if (meta?.['sagebrush.classes']) classes = JSON.parse(meta['sagebrush.classes']) as string[];
  } catch {
    // class names are for display only
  }
  return {
    modelId,
    classes,
    async detect(img) {
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run({ image: new O.Tensor('uint8', img.data, [img.height, img.width, 3]) });
      } catch (err) {
        throw new AppError('EDGE_INFERENCE_FAILED', `Model ${modelId} failed: ${(err as Error).message.split('\n')[0]!.slice(0, 300)}`);
      }
      const boxes = out.boxes!.data as Float32Array;
      const scores = out.scores!.data as Float32Array;
      const ids = out.class_ids!.data as BigInt64Array | Int32Array;
      const dets: Detection[] = [];
      for (let i = 0; i < scores.length; i++) {
        dets.push({ classId: Number(ids[i]), score: Math.min(1, Math.max(0, scores[i]!)), x1: boxes[i * 4]!, y1: boxes[i * 4 + 1]!, x2: boxes[i * 4 + 2]!, y2: boxes[i * 4 + 3]! });
      }
      return dets;
    },
    dispose: () => session.release(),
  };
}
