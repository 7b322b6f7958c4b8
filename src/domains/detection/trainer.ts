/**
 * Detector training, end to end: seeded 80/20 split of the labeled images (unlabeled ones are skipped, never
 * negatives) → the training part's pixels, boxes and the backbone weights into a temp job folder → the Python
 * trainer (python/train.py, torch) → its ONNX file gets the contract's metadata → the held-out 20 % is run through
 * that exact file with onnxruntime-node and scored with src/ml/detection (COCO 101-point mAP). The test images never
 * reach Python, and no hyper-parameter is chosen on them (the defaults were picked on an inner split of the
 * training part; see README.md).
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { evaluateDetections, type DetectionMetrics } from '../../ml/detection/index.ts';
import { mulberry32, shuffleInPlace } from '../../ml/split/prng.ts';
import { runPythonScript } from '../../runtimes/python.ts';
import { BUNDLED_BACKBONE } from '../images/backbone.ts';
import { extractBackbone } from './backboneWeights.ts';
import { openDetector, withDetectorMetadata } from './onnxDetector.ts';
import { decodeRgb } from './pixels.ts';
import type { DetectionImage, LabeledBox } from './formats/types.ts';

export const TRAIN_SCRIPT = resolve(import.meta.dirname, 'python/train.py');
/** The network input (w, h): the sample's 450×300 rounded to multiples of 32. */
export const INPUT_SIZE: readonly [number, number] = [448, 288];
export const DEFAULT_EPOCHS = 30;
export const MIN_IMAGES = 10;

export interface TrainSource {
  classes: string[];
  images: readonly DetectionImage[];
  /** The bytes of an image by ref. */
  read(ref: string): Promise<Buffer>;
}

export interface TrainOptions {
  epochs?: number;
  seed?: number;
  signal?: AbortSignal;
  progress?(fraction: number, message: string): void | Promise<void>;
}

export interface TrainedDetector {
  onnx: Uint8Array;
  classes: string[];
  metrics: DetectionMetrics;
  train_seconds: number;
  n_train: number;
  n_test: number;
  epochs: number;
  seed: number;
  testRefs: string[];
}

/** Seeded split: the first round(20 %) of a mulberry32 shuffle are held out. */
export function splitLabeled(images: readonly DetectionImage[], seed: number): { train: DetectionImage[]; test: DetectionImage[] } {
  const labeled = images.filter((i) => i.boxes !== null);
  if (labeled.length < MIN_IMAGES) {
    throw new AppError('DETECTION_TOO_FEW_IMAGES', `The training set has ${labeled.length} labeled images; at least ${MIN_IMAGES} are needed to hold out a 20 % test split.`, {
      problems: [{ field: 'images', problem: `${labeled.length} labeled images (${images.length - labeled.length} unlabeled do not count)`, fix: `Label at least ${MIN_IMAGES} images.` }],
    });
  }
  const order = shuffleInPlace(Array.from({ length: labeled.length }, (_, i) => i), mulberry32(seed));
  const nTest = Math.max(2, Math.round(labeled.length * 0.2));
  return { test: order.slice(0, nTest).map((i) => labeled[i]!), train: order.slice(nTest).map((i) => labeled[i]!) };
}

/**
 * torch threads: every core on an idle machine, one on a busy one — torch's OpenMP workers spin-wait, and on an
 * oversubscribed 2-core machine two threads ran the head's epochs several times slower than one (measured).
 */
export function trainerThreads(): number {
  const cores = availableParallelism();
  return loadavg()[0]! < cores - 0.5 ? cores : 1;
}

const corners = (b: LabeledBox): number[] => [b.classId, b.x, b.y, b.x + b.w, b.y + b.h];

async function writeJob(dir: string, source: TrainSource, train: DetectionImage[], epochs: number, seed: number, signal?: AbortSignal): Promise<void> {
  const { spec, weights } = await extractBackbone(BUNDLED_BACKBONE);
  await writeFile(join(dir, 'backbone.json'), JSON.stringify(spec));
  await writeFile(join(dir, 'backbone.bin'), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  const pixels = await open(join(dir, 'pixels.u8'), 'w');
  const images: Array<{ ref: string; offset: number; width: number; height: number; boxes: number[][] }> = [];
  let offset = 0;
  try {
    for (const img of train) {
      signal?.throwIfAborted();
      const rgb = await decodeRgb(await source.read(img.ref), img.ref);
      // Boxes are in the label's image size; rescale if the decoded (oriented) size differs.
      const sx = rgb.width / img.width, sy = rgb.height / img.height;
      const boxes = (img.boxes ?? []).map((b) => corners({ classId: b.classId, x: b.x * sx, y: b.y * sy, w: b.w * sx, h: b.h * sy }));
      await pixels.write(rgb.data);
      images.push({ ref: img.ref, offset, width: rgb.width, height: rgb.height, boxes });
      offset += rgb.data.length;
    }
  } finally {
    await pixels.close();
  }
  const job = { classes: source.classes, size: INPUT_SIZE, epochs, seed, threads: trainerThreads(), images };
  await writeFile(join(dir, 'job.json'), JSON.stringify(job));
}

/** Runs python/train.py on the job folder; resolves with the trainer's result message. */
async function runTrainer(dir: string, options: TrainOptions): Promise<Record<string, unknown>> {
  let result: Record<string, unknown> | undefined;
  const pending: Array<void | Promise<void>> = [];
  const run = await runPythonScript(TRAIN_SCRIPT, {
    args: ['--job', dir],
    signal: options.signal,
    nice: true,
    onMessage(msg) {
      if (msg.type === 'progress' && typeof msg.fraction === 'number') pending.push(options.progress?.(0.05 + 0.85 * msg.fraction, String(msg.message ?? '')));
      if (msg.type === 'result') result = msg;
    },
  });
  await Promise.all(pending);
  if (run.code !== 0 || !result) {
    const tail = run.stderrTail.trim().split('\n').slice(-5).join(' | ');
    throw new AppError('DETECTION_TRAIN_FAILED', `The detector trainer exited with ${run.signal ?? `code ${String(run.code)}`}${result ? '' : ' without a result'}: ${tail || run.otherLines.slice(-3).join(' | ')}`, {
      problems: [{ field: 'trainer', problem: tail || 'no output', fix: 'Read the message; check that the interpreter has torch and torchvision and that memory is free.' }],
    });
  }
  return result;
}

/** Detections of the exported file on the held-out images, scored COCO-style. */
async function evaluateHeldOut(onnx: Uint8Array, source: TrainSource, test: DetectionImage[], options: TrainOptions): Promise<DetectionMetrics> {
  const detector = await openDetector(onnx, { threads: 2 });
  try {
    const images = [];
    for (const img of test) {
      options.signal?.throwIfAborted();
      const rgb = await decodeRgb(await source.read(img.ref), img.ref);
      const sx = rgb.width / img.width, sy = rgb.height / img.height;
      const predictions = await detector.detect(rgb);
      images.push({
        truth: (img.boxes ?? []).map((b) => ({ classId: b.classId, x1: b.x * sx, y1: b.y * sy, x2: (b.x + b.w) * sx, y2: (b.y + b.h) * sy })),
        predictions,
      });
    }
    return evaluateDetections(images, { numClasses: source.classes.length, maxDetections: 100 });
  } finally {
    await detector.dispose();
  }
}

export async function trainDetector(source: TrainSource, options: TrainOptions = {}): Promise<TrainedDetector> {
  const epochs = options.epochs ?? DEFAULT_EPOCHS;
  const seed = options.seed ?? 42;
  const { train, test } = splitLabeled(source.images, seed);
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'sagebrush-detect-'));
  try {
    await options.progress?.(0, `preparing ${train.length} training images (${test.length} held out)`);
    await writeJob(dir, source, train, epochs, seed, options.signal);
    await runTrainer(dir, options);
    const onnx = await withDetectorMetadata(await readFile(join(dir, 'model.onnx')), source.classes, { epochs, seed, input: INPUT_SIZE });
    const train_seconds = (performance.now() - started) / 1000;
    await options.progress?.(0.92, `evaluating on ${test.length} held-out images`);
    const metrics = await evaluateHeldOut(onnx, source, test, options);
    return { onnx, classes: source.classes, metrics, train_seconds, n_train: train.length, n_test: test.length, epochs, seed, testRefs: test.map((t) => t.ref) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A contract-shaped detector with an untrained head (same graph, backbone and metadata as a trained one; its
 * detections are meaningless). Seconds instead of minutes: for tests of the file's plumbing (two runtimes, edge
 * agents, pre-labels), never for predictions.
 */
export async function exportUntrainedDetector(classes: string[], options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'sagebrush-detect-'));
  try {
    await writeJob(dir, { classes, images: [], read: () => Promise.reject(new Error('no images')) }, [], 0, 0, options.signal);
    await runTrainer(dir, { signal: options.signal });
    return await withDetectorMetadata(await readFile(join(dir, 'model.onnx')), classes, { epochs: 0, untrained: true, input: INPUT_SIZE });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
