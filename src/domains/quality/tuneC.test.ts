/**
 * Per-label C chosen out of fold (`text.tune` with cGrid): the choice rule against hand-computed F1 values, and
 * the job through the real app — a refitted new version with the chosen labelC that carries the decision, and a
 * clear 400 where a C grid cannot apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppWithModels, runJob, succeeded, tempDir, type OpenApp } from './testing/app.ts';
import type { TuneResult } from './tune.ts';
import { choosePerLabel } from './tuneC.ts';

describe('choosePerLabel (hand-computed F1 at the best threshold)', () => {
  // truth rows × 2 labels: label 0 = [1, 1, 0, 0], label 1 = [0, 1, 0, 1]
  const truth = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1]);
  // grid 0: label 0 separates perfectly (F1 1); label 1 best is everything positive: 2·2/(2·2 + 2) = 0.6667
  const g0 = Float32Array.from([0.9, 0.9, 0.8, 0.1, 0.1, 0.5, 0.2, 0.2]);
  // grid 1: label 0 best at t = 0.3: tp 2, fp 1 → 4/5 = 0.8; label 1 separates perfectly (F1 1)
  const g1 = Float32Array.from([0.6, 0.2, 0.3, 0.7, 0.4, 0.1, 0.1, 0.6]);
  it('takes each label from the grid entry with the best F1 and reports each entry\'s mean', () => {
    const r = choosePerLabel([g0, g1], truth, 2, { kind: 'f-beta', beta: 1 });
    expect(r.pick).toEqual([0, 1]);
    expect(r.meanObjective[0]).toBeCloseTo((1 + 2 / 3) / 2, 6);
    expect(r.meanObjective[1]).toBeCloseTo((0.8 + 1) / 2, 6);
    expect(Array.from(r.scores)).toEqual(Array.from(Float32Array.from([0.9, 0.2, 0.8, 0.7, 0.1, 0.1, 0.2, 0.6])));
  });
  it('keeps the first grid entry on ties', () => {
    expect(choosePerLabel([g0, g0], truth, 2, { kind: 'f-beta', beta: 1 }).pick).toEqual([0, 0]);
  });
});

describe('text.tune with cGrid (real app)', () => {
  const data = tempDir();
  let t: OpenApp;
  beforeAll(async () => {
    t = await openAppWithModels(data.dir);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    data.remove();
  });

  it('chooses C per label out of fold and refits a new version that carries labelC and the thresholds', async () => {
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { objective: 'f1', folds: 3, cGrid: [0.5, 4], balancedGrid: true }));
    expect(r.refittedFrom?.version).toBe(1);
    expect(r.model.version).toBe(2);
    expect(Object.keys(r.labelC!).sort()).toEqual(['account', 'billing', 'shipping']);
    // the refit keeps the 2/3-of-the-rows fold models' regularisation per row: chosen C × (k − 1)/k
    for (const c of Object.values(r.labelC!)) expect([0.5 * 2 / 3, 4 * 2 / 3]).toContain(c);
    expect(r.cGrid!.map((g) => `${g.C} ${g.classWeight}`)).toEqual(['0.5 none', '0.5 balanced', '4 none', '4 balanced']);
    for (const w of Object.values(r.labelClassWeight!)) expect(['none', 'balanced']).toContain(w);
    const v2 = (await t.app.inject({ method: 'GET', url: '/api/v1/models/multi/versions/2' })).json<{ params: { options: { labelC: Record<string, number>; labelClassWeight: Record<string, string> } } }>();
    expect(v2.params.options.labelC).toEqual(r.labelC);
    expect(v2.params.options.labelClassWeight).toEqual(r.labelClassWeight);
    const decision = (await t.app.inject({ method: 'GET', url: '/api/v1/text/models/multi/versions/2/decision' })).json<{ thresholds: Record<string, number> }>();
    expect(decision.thresholds).toEqual(r.thresholds);
    // the version tuned is left as it was
    const d1 = (await t.app.inject({ method: 'GET', url: '/api/v1/text/models/multi/versions/1/decision' })).json<{ thresholds: unknown }>();
    expect(d1.thresholds).toBeNull();
    // a refitted version can be tuned with a grid again: the grid replaces its per-label settings
    const again = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/2/tune', { folds: 3, cGrid: [1, 2] }));
    expect(again.model.version).toBe(3);
    for (const c of Object.values(again.labelC!)) expect([2 / 3, 4 / 3]).toContain(c);
    expect(Object.values(again.labelClassWeight!)).toEqual(['none', 'none', 'none']);
  }, 120_000);

  it('refuses a C grid for a multi-class model with a 400 that names cGrid', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/models/tickets/versions/1/tune', payload: { cGrid: [1, 4] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'cGrid' }] });
  });
});
