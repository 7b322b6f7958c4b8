/**
 * Quick and standard builds end to end through the real app in-process (createTestApp: SQLite + job worker + routes):
 * upload the sample as one zip (label folders + images_manifest.csv), then `POST /api/v1/images/models?wait=true`
 * with lesion_id as the group column, timed on the wall clock; metrics from `GET /images/models/:name/versions/:v`.
 * Each cold build gets a fresh app (empty embedding cache); a second quick build in the same app shows the cached rebuild.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, upload } from '../src/domains/datasets/testing/harness.ts';
import { makeZip } from '../src/domains/datasets/testing/zip-writer.ts';
import type { Sample } from './images.data.ts';

export interface BuildRun {
  build: 'quick' | 'standard';
  cached: boolean;
  uploadSeconds: number;
  wallSeconds: number;
  trainSeconds: number | null;
  testBalancedAccuracy: number | null;
  testMacroF1: number | null;
  cvBalancedAccuracy: number | null;
  cvBalancedAccuracyStd: number | null;
  cvMacroF1: number | null;
  cvFolds: number | null;
  chosen: string | null;
  tried: number | null;
  embedImagesPerSecond: number | null;
  split: string | null;
  error?: string;
}

interface ModelBody {
  metrics?: { balanced_accuracy?: number; macro_f1?: number; cv?: { folds?: number; balanced_accuracy_mean?: number; balanced_accuracy_std?: number; macro_f1_mean?: number } };
  report?: { train_seconds?: number; chosen?: string; tried?: unknown[]; embed_images_per_second?: number; split?: { kind?: string; train?: number; test?: number; groupsTrain?: number; groupsTest?: number } };
}

function sampleZip(sample: Sample): Buffer {
  return makeZip([
    { name: 'images_manifest.csv', data: readFileSync(sample.manifest) },
    ...sample.images.map((im) => ({ name: im.path, data: im.bytes, method: 0 as const })),
  ]);
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

async function buildOnce(app: Awaited<ReturnType<typeof createTestApp>>['app'], build: 'quick' | 'standard', name: string, cached: boolean, uploadSeconds: number): Promise<BuildRun> {
  const t0 = performance.now();
  const res = await app.inject({ method: 'POST', url: '/api/v1/images/models?wait=true', payload: { name, dataset: 'ham', build, groupColumn: 'lesion_id', labelColumn: 'dx' } });
  const wallSeconds = (performance.now() - t0) / 1000;
  const empty = { build, cached, uploadSeconds, wallSeconds, trainSeconds: null, testBalancedAccuracy: null, testMacroF1: null, cvBalancedAccuracy: null, cvBalancedAccuracyStd: null, cvMacroF1: null, cvFolds: null, chosen: null, tried: null, embedImagesPerSecond: null, split: null };
  if (res.statusCode !== 201) return { ...empty, error: `POST /images/models → ${res.statusCode}: ${res.body.slice(0, 300)}` };
  const created = res.json<{ model: { name: string; version: number } }>();
  const got = await app.inject({ method: 'GET', url: `/api/v1/images/models/${created.model.name}/versions/${created.model.version}` });
  if (got.statusCode !== 200) return { ...empty, error: `GET model → ${got.statusCode}: ${got.body.slice(0, 300)}` };
  const body = got.json<ModelBody>();
  const m = body.metrics ?? {}, r = body.report ?? {}, s = r.split;
  return {
    ...empty,
    trainSeconds: num(r.train_seconds),
    testBalancedAccuracy: num(m.balanced_accuracy), testMacroF1: num(m.macro_f1),
    cvBalancedAccuracy: num(m.cv?.balanced_accuracy_mean), cvBalancedAccuracyStd: num(m.cv?.balanced_accuracy_std), cvMacroF1: num(m.cv?.macro_f1_mean), cvFolds: num(m.cv?.folds),
    chosen: r.chosen ?? null, tried: Array.isArray(r.tried) ? r.tried.length : null, embedImagesPerSecond: num(r.embed_images_per_second),
    split: s ? `${s.kind ?? '?'}: ${s.train ?? '?'} train / ${s.test ?? '?'} test images, ${s.groupsTrain ?? '?'} / ${s.groupsTest ?? '?'} lesions` : null,
  };
}

/** Cold quick build (+ a cached quick rebuild), and a cold standard build, each cold one in a fresh app. */
export async function measureBuilds(sample: Sample, builds: readonly ('quick' | 'standard')[], log: (m: string) => void): Promise<BuildRun[]> {
  const zip = sampleZip(sample);
  const runs: BuildRun[] = [];
  for (const build of builds) {
    const t = await createTestApp();
    try {
      const t0 = performance.now();
      const up = await upload(t.app, 'ham10000-sample.zip', zip, { name: 'ham' });
      const uploadSeconds = (performance.now() - t0) / 1000;
      if (up.statusCode >= 300) {
        runs.push({ build, cached: false, uploadSeconds, wallSeconds: NaN, trainSeconds: null, testBalancedAccuracy: null, testMacroF1: null, cvBalancedAccuracy: null, cvBalancedAccuracyStd: null, cvMacroF1: null, cvFolds: null, chosen: null, tried: null, embedImagesPerSecond: null, split: null, error: `upload → ${up.statusCode}: ${up.body.slice(0, 300)}` });
        continue;
      }
      log(`app: ${build} build (cold cache)`);
      runs.push(await buildOnce(t.app, build, `ham-${build}`, false, uploadSeconds));
      if (build === 'quick') {
        log('app: quick rebuild (cached embeddings)');
        runs.push(await buildOnce(t.app, build, 'ham-quick-again', true, 0));
      }
    } finally {
      await t.close();
    }
  }
  return runs;
}

export const APP_SERVICE = join('src', 'domains', 'images', 'service.ts');
