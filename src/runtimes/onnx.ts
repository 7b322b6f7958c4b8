/**
 * onnxruntime-node adapter: one InferenceSession per model file with a single float32 input and a single
 * 2-D output (e.g. an image backbone: [N,3,224,224] → [N,1000]). Thread counts are explicit (default 1):
 * onnxruntime's default spins one thread per core, which fights every other job on a small shared machine.
 * Share sessions through createModelCache (src/runtimes/modelCache.ts) with `dispose` → session.dispose().
 */
import type ort from 'onnxruntime-node';
import { AppError } from '../core/errors.ts';

export interface OnnxSession {
  readonly inputName: string;
  readonly outputName: string;
  /** Width of one output row (1000 for an ImageNet classifier). */
  readonly outputDim: number;
  /** Runs `n` rows packed in `batch` (n × the input's per-item size) and returns n × outputDim values. */
  run(batch: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Shape of one input item (the input's dims without the batch dimension), read from the model's metadata. */
function itemShape(meta: ort.InferenceSession.ValueMetadata | undefined, fallback: readonly number[] | undefined): number[] {
  if (meta && meta.isTensor) {
    const dims = meta.shape.slice(1);
    if (dims.every((d): d is number => typeof d === 'number' && d > 0)) return dims;
  }
  if (fallback) return [...fallback];
  throw new AppError('INTERNAL', 'The ONNX model input has symbolic non-batch dimensions; pass options.inputShape');
}

type OrtModule = typeof ort;
let ortLib: Promise<OrtModule> | undefined;

export async function openOnnxSession(path: string, options: { threads?: number; inputShape?: readonly number[] } = {}): Promise<OnnxSession> {
  // Imported on first use: only image models run ONNX, and most commands and servers never open one (issue 17).
  // A CommonJS package: its exports are the namespace's `default` under Node's loader, but some loaders (tsx in the
  // bench runner) hand back the namespace alone, so take whichever carries InferenceSession.
  const ort = await (ortLib ??= import('onnxruntime-node').then((m) => ((m as { default?: OrtModule }).default ?? (m as unknown as OrtModule))));
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) {
    await session.release();
    throw new AppError('INTERNAL', `ONNX model ${path} has no input or output`);
  }
  const shape = itemShape(session.inputMetadata[0], options.inputShape);
  const itemSize = shape.reduce((a, b) => a * b, 1);
  const outMeta = session.outputMetadata[0];
  let outputDim = outMeta?.isTensor && typeof outMeta.shape[1] === 'number' ? outMeta.shape[1] : 0;
  // onnxruntime runs one call at a time per session anyway; serialising keeps memory bounded under concurrency.
  let queue: Promise<unknown> = Promise.resolve();

  async function runNow(batch: Float32Array, n: number): Promise<Float32Array> {
    if (batch.length !== n * itemSize) throw new AppError('INTERNAL', `ONNX batch has ${batch.length} values; expected ${n}×${itemSize}`);
    const input = new ort.Tensor('float32', batch, [n, ...shape]);
    const out = await session.run({ [inputName!]: input });
    const tensor = out[outputName!];
    if (!tensor) throw new AppError('INTERNAL', `ONNX model ${path} returned no '${outputName}'`);
    const data = tensor.data as Float32Array;
    if (!outputDim) outputDim = data.length / n;
    // Copy: the tensor's buffer belongs to onnxruntime and the caller may keep slices.
    return new Float32Array(data);
  }

  return {
    inputName,
    outputName,
    get outputDim() {
      return outputDim;
    },
    run(batch, n) {
      const next = queue.then(() => runNow(batch, n));
      queue = next.catch(() => undefined);
      return next;
    },
    async dispose() {
      await queue;
      await session.release();
    },
  };
}
