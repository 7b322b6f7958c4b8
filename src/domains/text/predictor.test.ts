import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainTextClassifier } from '../../ml/index.ts';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import { ESCAPED_LABELS, TIE_ROWS } from './testing/scoreRows.ts';
import { toResult, type DecisionRule } from './comprehend.ts';
import { loadTextPredictor, resultJson } from './predictor.ts';

/** What the batch job wrote before resultJson: JSON.stringify of toResult's object. */
const reference = (rule: DecisionRule, scores: Float32Array, offset: number, head: Record<string, unknown>) => {
  const r = toResult(scores, offset, rule);
  const key = rule.mode === 'multi-class' ? 'Classes' : 'Labels';
  return JSON.stringify({ ...head, [key]: r[key], Predicted: r.Predicted });
};

describe('resultJson (a batch output line straight from the scores)', () => {
  // scores with exact ties, ties after rounding to 4 decimals, 0, 1 and values near the 0.5 threshold
  const rows = TIE_ROWS;
  const scores = Float32Array.from(rows.flat());
  const labels = [...ESCAPED_LABELS];
  const head = { File: 'in put.txt', Line: '12' };
  const prefix = `${JSON.stringify(head).slice(0, -1)},`;

  it('is byte for byte the JSON.stringify of toResult: multi-label with default and tuned thresholds', () => {
    for (const rule of [{ mode: 'multi-label', labels }, { mode: 'multi-label', labels, thresholds: [0.3, 0.5, 0.2, 0.9, 0.1, 0.5, 0.2] }] as DecisionRule[]) {
      for (let i = 0; i < rows.length; i++) expect(resultJson(rule, scores, i * 7, prefix)).toBe(reference(rule, scores, i * 7, head));
    }
  });

  it('is byte for byte the JSON.stringify of toResult: multi-class with offsets and abstention', () => {
    for (const rule of [{ mode: 'multi-class', labels }, { mode: 'multi-class', labels, offsets: [0, 0.3, 0, 0, 0, 0, -0.1] }, { mode: 'multi-class', labels, abstainBelow: 0.6 }] as DecisionRule[]) {
      for (let i = 0; i < rows.length; i++) expect(resultJson(rule, scores, i * 7, prefix)).toBe(reference(rule, scores, i * 7, head));
    }
  });
});

describe('resultJson score text', () => {
  it('prints every 4-decimal score as JSON.stringify does', () => {
    const labels = ['a'], rule: DecisionRule = { mode: 'multi-label', labels };
    for (let k = 0; k <= 10000; k++) {
      const s = Float32Array.of(k / 1e4);
      expect(resultJson(rule, s, 0, '{')).toBe(reference(rule, s, 0, {}));
    }
  });
});

describe('loadTextPredictor (model.bin from the artifact store into shared memory)', () => {
  it('loads the stored model as views into shared bytes; a file gone before the read is ARTIFACT_NOT_FOUND, not a server path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-predictor-'));
    try {
      const texts = Array.from({ length: 24 }, (_, i) => (i % 2 ? `great match for the team ${i}` : `tasty pasta dinner ${i}`));
      const model = trainTextClassifier({ texts, labels: texts.map((_, i) => [i % 2]), labelNames: ['sport', 'food'], mode: 'multi-label' });
      const store = new FsArtifactStore(dir);
      await store.put('models/m/model.bin', model.serialize());
      const version = { id: 'mdl_1', name: 'm', version: 1, kind: 'text-classifier', status: 'ready', datasetVersionId: null, jobId: null, params: {}, metrics: {}, artifacts: { 'model.bin': 'models/m/model.bin' }, meta: {}, createdAt: '2026-12-07T00:00:00Z' };
      const p = await loadTextPredictor(version, store);
      expect(p.bytes).toBeInstanceOf(SharedArrayBuffer);
      expect(p.classifier.linear.weights.buffer).toBe(p.bytes); // views, not a copy
      const probe = ['the team won the match', 'pasta for dinner'];
      expect(Array.from(p.classifier.predict(probe))).toEqual(Array.from(model.predict(probe)));
      // the store says the file is there, then it is deleted before the read (a model version removed meanwhile)
      const vanishing = Object.create(store, { localPath: { value: async (key: string) => { const path = await store.localPath(key); unlinkSync(path); return path; } } }) as typeof store;
      const err: unknown = await loadTextPredictor(version, vanishing).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
      expect(String((err as Error).message)).not.toContain(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
