/**
 * The `images.batch` job: predict every image of a dataset version and write one CSV row per image —
 * `path,predicted,p_<label>…,ood,error`. An unreadable image becomes a row with `error` (code and fix), never a
 * failed batch. Images are read from the stored zip in chunks, so memory stays bounded.
 */
import { isAppError } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { loadImageDataset, readImageBytes } from './data.ts';
import type { ImagesDeps } from './deps.ts';
import { predictImage, type ImagePredictor } from './predict.ts';
import type { BatchJobPayload } from './schema.ts';
import { featuresOf } from './store.ts';

export interface BatchResult {
  modelId: string;
  dataset: { id: string; version: number };
  images: number;
  errors: number;
  outOfDistribution: number;
  outputKey: string;
}

const CHUNK = 32;

export function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function runBatchJob(deps: ImagesDeps & { predictor(modelId: string): Promise<ImagePredictor> }, ctx: JobContext<BatchJobPayload>): Promise<BatchResult> {
  const p = ctx.job.payload;
  await ctx.progress(0.01, 'reading the dataset');
  const ds = await loadImageDataset(deps, p.dataset);
  const predictor = await deps.predictor(p.modelId);
  const embedder = deps.embedder(featuresOf(predictor.head));
  const labels = predictor.head.labels;
  const lines = [['path', 'predicted', ...labels.map((l) => `p_${l}`), 'ood', 'error'].map(csvField).join(',')];
  let errors = 0;
  let ood = 0;
  const started = performance.now();
  for (let start = 0; start < ds.records.length; start += CHUNK) {
    ctx.signal.throwIfAborted();
    const part = ds.records.slice(start, start + CHUNK);
    const bytes = await readImageBytes(deps, ds, part.map((r) => r.path), ctx.signal);
    for (const r of part) {
      const body = bytes.get(r.path);
      try {
        if (!body) throw new Error('the image is missing from the archive');
        const pred = await predictImage(predictor, embedder, body);
        const score = new Map(pred.probabilities.map((x) => [x.label, x.score]));
        if (pred.outOfDistribution.flag) ood++;
        lines.push([r.path, pred.predicted ?? '', ...labels.map((l) => score.get(l) ?? 0), pred.outOfDistribution.flag ? 'true' : 'false', ''].map(csvField).join(','));
      } catch (err) {
        if (!isAppError(err) && !(err instanceof Error && err.message.includes('missing'))) throw err;
        errors++;
        const fix = isAppError(err) ? (err.problems?.[0]?.fix ?? '') : 'Re-upload the dataset.';
        const message = `${isAppError(err) ? `${err.code}: ` : ''}${err.message}${fix ? ` ${fix}` : ''}`;
        lines.push([r.path, '', ...labels.map(() => ''), '', message].map(csvField).join(','));
      }
    }
    const done = Math.min(ds.records.length, start + CHUNK);
    const rate = done / Math.max(1e-3, (performance.now() - started) / 1000);
    await ctx.progress(0.02 + (0.95 * done) / Math.max(1, ds.records.length), `${done} of ${ds.records.length} images · ${rate.toFixed(1)} images/s`);
  }
  await deps.artifacts.put(p.outputKey, `${lines.join('\n')}\n`, { contentType: 'text/csv; charset=utf-8' });
  await ctx.log(`predicted ${ds.records.length - errors} images, ${errors} errors, ${ood} out of distribution`);
  await ctx.progress(1, 'done');
  return { modelId: p.modelId, dataset: { id: ds.datasetId, version: ds.version }, images: ds.records.length, errors, outOfDistribution: ood, outputKey: p.outputKey };
}
