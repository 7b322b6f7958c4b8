/**
 * Occlusion saliency (Zeiler & Fergus 2014): grey out one cell of a grid over the 'center' view at a time and
 * measure how much the class probability drops. Grey = the ImageNet mean colour, i.e. 0 after normalisation,
 * so the patch carries no signal. All occluded tensors (plus the unoccluded one) go to `score` in ONE call so
 * the caller can run them as a single batch.
 */
import { imageTensors, INPUT_SIZE } from './decode.ts';

export async function occlusionSaliency(
  bytes: Buffer,
  score: (tensors: Float32Array[]) => Promise<Float64Array>,
  options: { grid?: number } = {},
): Promise<{ grid: number; values: number[] }> {
  const grid = Math.max(1, Math.min(INPUT_SIZE, Math.floor(options.grid ?? 7)));
  const [center] = await imageTensors(bytes, ['center']);
  const tensors = [center!, ...occludedTensors(center!, grid)];
  const scores = await score(tensors);
  const base = scores[0]!;
  const values: number[] = [];
  for (let i = 0; i < grid * grid; i++) values.push(base - scores[i + 1]!);
  return { grid, values };
}

/** grid² copies of a CHW tensor, copy r·grid+c with cell (row r, column c) set to 0 (the mean colour). */
export function occludedTensors(tensor: Float32Array, grid: number, size = INPUT_SIZE): Float32Array[] {
  const plane = size * size;
  const edges = Array.from({ length: grid + 1 }, (_, i) => Math.round((i * size) / grid));
  const out: Float32Array[] = [];
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const t = new Float32Array(tensor);
      for (let ch = 0; ch < 3; ch++) {
        for (let y = edges[r]!; y < edges[r + 1]!; y++) t.fill(0, ch * plane + y * size + edges[c]!, ch * plane + y * size + edges[c + 1]!);
      }
      out.push(t);
    }
  }
  return out;
}
