/**
 * `text.tune` with stack through the real app: a new version whose one linear model holds the cross-label
 * combiner (with the NB word base), carrying the thresholds chosen on the combiner's cross-fitted scores; the
 * version tuned is left unchanged; clear 400s where stack cannot apply or a plain tune would mismatch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionFunction, fitLogisticRegression, labelMatrix, perLabelRocAuc, TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import { fitNbModel } from '../../ml/text/stack.ts';
import { FusedTextScorer } from '../../ml/text/fusedScorer.ts';
import { checkStack, foldStack, stackOutOfFold } from './tuneStack.ts';
import { SHAPE_WIDTH, ShapeBlock } from '../../ml/text/shape.ts';
import { embedTexts, ENCODER_DIM } from '../../ml/text/sentenceEncoder.ts';
import { encoderFit, fitEncoderBase, embeddingRows } from '../../ml/text/encoderBase.ts';
import { predictTexts } from '../../ml/text/classifier.ts';
import { parseLabeledText } from '../text/formats.ts';
import { labelSet } from '../text/data.ts';
import { multiLabelCsv } from '../text/testing/synthetic.ts';
import { openAppWithModels, runJob, succeeded, tempDir, type OpenApp } from './testing/app.ts';
import type { TuneResult } from './tune.ts';
import { rebuildModelParts } from '../text/parts.ts';
import { toArrays } from '../text/data.ts';
import type { TextDeps } from '../text/deps.ts';
import type { Job } from '../../jobs/types.ts';
import { multipart } from '../datasets/testing/harness.ts';

interface VersionView { id: string; metrics: Record<string, unknown>; artifacts: Record<string, string>; params: { options: Record<string, unknown>; tuneStack?: { bases: string[]; combinerC: number; folds: number }; refittedFrom?: { version: number; by: string } } }

describe('text.tune with stack (real app)', () => {
  const data = tempDir();
  let t: OpenApp;
  beforeAll(async () => {
    t = await openAppWithModels(data.dir);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    data.remove();
  });
  const version = async (v: number) => (await t.app.inject({ method: 'GET', url: `/api/v1/models/multi/versions/${v}` })).json<VersionView>();
  const decision = async (v: number) => (await t.app.inject({ method: 'GET', url: `/api/v1/text/models/multi/versions/${v}/decision` })).json<{ thresholds: Record<string, number> | null }>();

  it('refits a new version with the combiner (and NB word base) folded into its weights, carrying the thresholds', async () => {
    const before = await version(1);
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { folds: 3, stack: true, stackNbWords: true }));
    expect(r.refittedFrom?.version).toBe(1);
    expect(r.model.version).toBe(2);
    expect(r.stack).toEqual({ bases: ['word+char', 'nb-words'], combinerC: 0.1 });
    // the version's own C, refitted at C × (k − 1)/k for every label
    for (const c of Object.values(r.labelC!)) expect(c).toBeCloseTo((4 * 2) / 3, 9);
    const v2 = await version(2);
    expect(v2.params.tuneStack).toEqual({ bases: ['word+char', 'nb-words'], combinerC: 0.1, folds: 3 });
    expect(v2.params.refittedFrom).toMatchObject({ version: 1, by: 'text.tune stack' });
    expect((await decision(2)).thresholds).toEqual(r.thresholds);
    // the stored model is the plain refit (same features) with the combiner folded into its weights: its scores differ
    const { models, datasets } = t.ctx.services;
    const deps: TextDeps = { logger: t.ctx.logger, artifacts: t.ctx.artifacts, queue: t.ctx.queue, datasets, models };
    const parts = await rebuildModelParts(deps, await models.getById(v2.id));
    const labels = parts.params.labels, train = toArrays(parts.train, labels, 'multi-label'), test = toArrays(parts.test, labels, 'multi-label');
    const plain = trainTextClassifier({ texts: train.texts, labels: train.labelIndices, labelNames: labels, mode: 'multi-label', options: parts.params.options });
    const stored = TextClassifierModel.deserialize(await t.ctx.artifacts.get(v2.artifacts['model.bin']!));
    expect(stored.vectorizers.map((v) => v.terms)).toEqual(plain.vectorizers.map((v) => v.terms));
    const a = stored.predict(test.texts), b = plain.predict(test.texts);
    expect(a.length).toBe(b.length);
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeGreaterThan(0.01);
    // the version tuned is left as it was
    expect((await decision(1)).thresholds).toBeNull();
    expect(await version(1)).toEqual(before);
  }, 120_000);

  it('refuses a plain tune of a stacked version (its thresholds belong to the combiner) with a 400 that names stack', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/models/multi/versions/2/tune', payload: { folds: 3 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'stack' }] });
  });

  it('stacks over the C chosen per label with cGrid, from a stacked version too', async () => {
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/2/tune', { folds: 3, stack: true, cGrid: [0.5, 4] }));
    expect(r.model.version).toBe(3);
    expect(r.stack).toEqual({ bases: ['word+char'], combinerC: 0.1 });
    for (const c of Object.values(r.labelC!)) expect([0.5 * 2 / 3, 4 * 2 / 3]).toContain(c);
  }, 120_000);

  it('refuses an option sent without the one it modifies (stackAllC, stackNbWords, stackNbChars, stackCaseChars, balancedGrid; thresholdBags without objective f1 or with smoothing) with a 400 naming it, instead of ignoring it', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ stackAllC: true }, 'stackAllC'], [{ stack: true, stackAllC: true }, 'stackAllC'], [{ cGrid: [0.5, 4], stackAllC: true }, 'stackAllC'],
      [{ stackNbWords: true }, 'stackNbWords'], [{ cGrid: [0.5, 4], stackNbWords: true }, 'stackNbWords'], [{ balancedGrid: true }, 'balancedGrid'],
      [{ stackNbChars: true }, 'stackNbChars'], [{ cGrid: [0.5, 4], stackNbChars: true }, 'stackNbChars'], [{ stackCaseChars: true }, 'stackCaseChars'], [{ stackShape: true }, 'stackShape'],
      [{ thresholdBags: 20, objective: 'f2' }, 'thresholdBags'], [{ thresholdBags: 20, smoothing: 0.1 }, 'thresholdBags'],
    ];
    for (const [payload, field] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/models/multi/versions/1/tune', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().problems[0].field).toBe(field);
    }
  });

  it('refuses stack for a multi-class model with a 400 that names stack', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/models/tickets/versions/1/tune', payload: { stack: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'stack' }] });
  });

  it('with stackAllC, the combiner sees every C of the grid, and with stackNbChars the NB char model (recorded as its bases)', async () => {
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { folds: 3, stack: true, stackNbWords: true, stackNbChars: true, stackAllC: true, cGrid: [0.5, 4] }));
    expect(r.model.version).toBe(4);
    const bases = ['word+char C=0.5', 'word+char C=4', 'nb-words', 'nb-chars'];
    expect(r.stack).toEqual({ bases, combinerC: 0.1 });
    expect((await version(4)).params.tuneStack).toEqual({ bases, combinerC: 0.1, folds: 3 });
    expect((await decision(4)).thresholds).toEqual(r.thresholds);
  }, 120_000);

  it('with stackShape, the shape features are combiner inputs and the new version carries them as a block that serving scores', async () => {
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { folds: 3, stack: true, stackShape: true }));
    expect(r.model.version).toBe(5);
    expect(r.stack).toEqual({ bases: ['word+char', 'shape'], combinerC: 0.1 });
    const v5 = await version(5);
    expect(v5.params.tuneStack).toEqual({ bases: ['word+char', 'shape'], combinerC: 0.1, folds: 3 });
    const stored = TextClassifierModel.deserialize(await t.ctx.artifacts.get(v5.artifacts['model.bin']!));
    expect(stored.shape).not.toBeNull();
    expect(stored.linear.nFeatures).toBe(stored.vectorizers.reduce((a, v) => a + v.nFeatures, 0) + SHAPE_WIDTH);
    // an endpoint serving the version scores with the shape block (the fused scorer on the scoring threads) as predict does
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'shape-ep', model: 'multi:5' } })).statusCode).toBe(201);
    for (const text of ['WHY ARE YOU SO RUDE!!! sooo rude', 'refund my invoice payment?']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/shape-ep/classify', payload: { Text: text } });
      expect(res.statusCode, res.body).toBe(200);
      const want = stored.predict([text]), got = res.json<{ Labels: { Name: string; Score: number }[] }>().Labels;
      expect(got).toHaveLength(stored.nLabels);
      for (const c of got) expect(c.Score).toBeCloseTo(want[stored.labelNames.indexOf(c.Name)]!, 3);
    }
    // a batch job (its threads claim chunks of one shared run) scores it the same way
    const lines = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `WHERE IS MY PARCEL ${i}!!!` : i % 3 === 1 ? `refund my invoice payment ${i}??` : `parcel courier tracking ${i}`));
    const body = await multipart([{ name: 'model', value: 'multi:5' }, { name: 'inputFormat', value: 'one-doc-per-line' }, { name: 'file', fileName: 'in.txt', content: `${lines.join('\n')}\n` }]);
    const job = await t.ctx.queue.wait((await t.app.inject({ method: 'POST', url: '/api/v1/text/batch-jobs', ...body })).json<{ job: Job }>().job.id, { timeoutMs: 30_000 });
    expect(job.status).toBe('succeeded');
    const out = (await t.app.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${job.id}/output?format=jsonl` })).body.trim().split('\n').map((l) => JSON.parse(l) as { Line: number; Labels: { Name: string; Score: number }[] });
    expect(out).toHaveLength(lines.length);
    const batchWant = stored.predict(lines);
    for (const r of out) for (const c of r.Labels) expect(c.Score).toBeCloseTo(batchWant[r.Line * stored.nLabels + stored.labelNames.indexOf(c.Name)]!, 3);
  }, 120_000);

  it('with stackEncoder, the sentence encoder is one more base and the new version carries an encoder block that endpoints and batch jobs score', async () => {
    const r = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { folds: 3, stack: true, stackEncoder: true, stackShape: true }, 120_000));
    expect(r.model.version).toBe(6);
    expect(r.stack).toEqual({ bases: ['word+char', 'sentence-encoder', 'shape'], combinerC: 0.1 });
    const v6 = await version(6);
    const stored = TextClassifierModel.deserialize(await t.ctx.artifacts.get(v6.artifacts['model.bin']!));
    expect(stored.encoder).toMatchObject({ dim: ENCODER_DIM });
    expect(stored.linear.nFeatures).toBe(stored.vectorizers.reduce((a, v) => a + v.nFeatures, 0) + ENCODER_DIM + SHAPE_WIDTH);
    // the version's test metrics were measured with the encoder block (predictTexts), as the tune result's
    const { models, datasets } = t.ctx.services;
    const parts = await rebuildModelParts({ logger: t.ctx.logger, artifacts: t.ctx.artifacts, queue: t.ctx.queue, datasets, models }, await models.getById(v6.id));
    const test = toArrays(parts.test, parts.params.labels, 'multi-label');
    expect(() => stored.predict(test.texts)).toThrow(/sentence-encoder block/);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'encoder-ep', model: 'multi:6' } })).statusCode).toBe(201);
    for (const text of ['WHY ARE YOU SO RUDE!!! sooo rude', 'refund my invoice payment?', '']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/encoder-ep/classify', payload: { Text: text } });
      if (text === '') { expect(res.statusCode).toBe(400); continue; }
      expect(res.statusCode, res.body).toBe(200);
      const want = await predictTexts(stored, [text]), got = res.json<{ Labels: { Name: string; Score: number }[] }>().Labels;
      for (const c of got) expect(c.Score).toBeCloseTo(want[stored.labelNames.indexOf(c.Name)]!, 3);
    }
    const lines = Array.from({ length: 30 }, (_, i) => (i % 2 ? `WHERE IS MY PARCEL ${i}!!!` : `refund my invoice payment ${i}??`));
    const body = await multipart([{ name: 'model', value: 'multi:6' }, { name: 'inputFormat', value: 'one-doc-per-line' }, { name: 'file', fileName: 'in.txt', content: `${lines.join('\n')}\n` }]);
    const job = await t.ctx.queue.wait((await t.app.inject({ method: 'POST', url: '/api/v1/text/batch-jobs', ...body })).json<{ job: Job }>().job.id, { timeoutMs: 60_000 });
    expect(job.status).toBe('succeeded');
    const out = (await t.app.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${job.id}/output?format=jsonl` })).body.trim().split('\n').map((l) => JSON.parse(l) as { Line: number; Labels: { Name: string; Score: number }[] });
    expect(out).toHaveLength(lines.length);
    const batchWant = await predictTexts(stored, lines);
    for (const o of out) for (const c of o.Labels) expect(c.Score).toBeCloseTo(batchWant[o.Line * stored.nLabels + stored.labelNames.indexOf(c.Name)]!, 3);
    // text.evaluate scores it with its encoder block too (on the job thread): the ROC AUCs of predictTexts' scores
    const ev = await succeeded<{ metrics: { per_label: Record<string, { auc: number | null }> } }>(runJob(t, '/api/v1/text/evaluations', { model: 'multi:6', dataset: 'multi', mode: 'multi-label' }, 60_000));
    const all = toArrays(parseLabeledText(multiLabelCsv(150), { mode: 'multi-label', format: 'comprehend-csv' }).docs, stored.labelNames as string[], 'multi-label');
    const aucs = perLabelRocAuc(await predictTexts(stored, all.texts), all.truth, stored.nLabels);
    stored.labelNames.forEach((l, j) => expect(ev.metrics.per_label[l]!.auc).toBeCloseTo(aucs[j]!, 3));
  }, 180_000);
});

describe('checkStack', () => {
  it('refuses stackNbChars for a model trained without char n-grams, naming the field', () => {
    const m = { name: 'words', version: 1, params: { mode: 'multi-label', options: { charNgram: null } } } as never;
    expect(() => checkStack(m, { stack: true, stackNbChars: true })).toThrow(/stackNbChars needs char n-grams/);
    expect(() => checkStack(m, { stack: true })).not.toThrow();
  });
});

describe('foldStack with allC', () => {
  it('folds a refit at every grid setting (C × (k−1)/k) and the NB word and char bases into one model whose logits are the combiner\'s', () => {
    const docs = parseLabeledText(multiLabelCsv(90), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const names = labelSet(docs), L = names.length, texts = docs.map((d) => d.text), labels = docs.map((d) => d.labels.map((l) => names.indexOf(l)));
    const clf = trainTextClassifier({ texts, labels, labelNames: names, mode: 'multi-label', options: {} });
    const grid = [{ C: 0.5, classWeight: 'none' as const }, { C: 2, classWeight: 'balanced' as const }], M = grid.length + 2, k = 4;
    const A = Float32Array.from({ length: (M * L + 1) * L }, (_, i) => Math.sin(i + 1) / 2);
    const folded = foldStack(clf, texts, labels, { scores: new Float32Array(0), A, nbWords: true, nbChars: true, caseChars: false, shape: null, encoder: null, allC: grid }, k);
    const blocks = clf.vectorizers.map((v) => v.transform(texts)), Y = labelMatrix(labels, L), o = clf.options, fit = { maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed };
    const bases = [
      ...grid.map((g) => fitLogisticRegression(blocks, Y, L, { ...fit, C: (g.C * (k - 1)) / k, classWeight: g.classWeight }).model),
      fitNbModel(blocks[0]!, Y, L, { ...fit, C: (o.C * (k - 1)) / k, classWeight: o.classWeight }),
      fitNbModel(blocks[1]!, Y, L, { ...fit, C: (o.C * (k - 1)) / k, classWeight: o.classWeight }),
    ].map((m, b) => decisionFunction(m, b === grid.length ? [blocks[0]!] : b === grid.length + 1 ? [blocks[1]!] : blocks));
    const got = decisionFunction(folded.linear, blocks);
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < L; j++) {
        let want = A[M * L * L + j]!;
        bases.forEach((b, m) => { for (let c = 0; c < L; c++) want += A[(m * L + c) * L + j]! * b[i * L + c]!; });
        expect(got[i * L + j]!).toBeCloseTo(want, 3);
      }
    }
  });
});

describe('foldStack with shape', () => {
  it('appends the shape block after the n-gram blocks with the combiner\'s shape rows as its weights; stored, it scores like the combiner', () => {
    const docs = parseLabeledText(multiLabelCsv(90), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const names = labelSet(docs), L = names.length, labels = docs.map((d) => d.labels.map((l) => names.indexOf(l)));
    const texts = docs.map((d, i) => (i % 4 === 0 ? `${d.text.toUpperCase()}!!!` : i % 5 === 0 ? `${d.text}??` : d.text));
    const clf = trainTextClassifier({ texts, labels, labelNames: names, mode: 'multi-label', options: {} }), k = 3, M = 1, E = SHAPE_WIDTH;
    const shape = ShapeBlock.fit(texts);
    const A = Float32Array.from({ length: (M * L + E + 1) * L }, (_, i) => Math.sin(3 * i + 1) / 2);
    const folded = foldStack(clf, texts, labels, { scores: new Float32Array(0), A, nbWords: false, nbChars: false, caseChars: false, shape, encoder: null, allC: null }, k);
    expect(folded.vectorizers).toEqual(clf.vectorizers);
    expect(folded.shape).toBe(shape);
    const base = decisionFunction(clf.linear, clf.vectorizers.map((v) => v.transform(texts))), X = shape.transform(texts).data;
    const got = decisionFunction(folded.linear, folded.blocks(texts));
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < L; j++) {
        let want = A[(M * L + E) * L + j]!; // bias row last
        for (let c = 0; c < L; c++) want += A[c * L + j]! * base[i * L + c]!;
        for (let e = 0; e < E; e++) want += A[(M * L + e) * L + j]! * X[i * E + e]!;
        expect(got[i * L + j]!).toBeCloseTo(want, 3);
      }
    }
    const loaded = TextClassifierModel.deserialize(folded.serialize()), p = folded.predict(texts);
    expect(Array.from(loaded.predict(texts))).toEqual(Array.from(p));
    const fused = new FusedTextScorer(loaded).score(texts);
    for (let x = 0; x < p.length; x++) expect(fused[x]!).toBeCloseTo(p[x]!, 5);
  });

  it('stackOutOfFold appends the standardised shape features as the combiner\'s last inputs', () => {
    const docs = parseLabeledText(multiLabelCsv(60), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const names = labelSet(docs), L = names.length, a = toArrays(docs, names, 'multi-label'), N = docs.length;
    const scores = Float32Array.from({ length: N * L }, (_, i) => 0.05 + 0.9 * ((Math.sin(i) + 1) / 2));
    const grid = { scores, grid: [scores], perC: [], labelC: [], labelClassWeight: [], nb: null, nbChars: null, caseChars: null } as never;
    const folds = Int32Array.from({ length: N }, (_, i) => i % 3);
    const plain = stackOutOfFold(grid, a.truth, L, folds, 3), withShape = stackOutOfFold(grid, a.truth, L, folds, 3, false, a.texts);
    expect(plain.A.length).toBe((L + 1) * L);
    expect(withShape.A.length).toBe((L + SHAPE_WIDTH + 1) * L);
    expect(withShape.shape).not.toBeNull();
    expect(Array.from(withShape.shape!.mean)).toEqual(Array.from(ShapeBlock.fit(a.texts).mean));
  });
});

describe('foldStack with caseChars', () => {
  it('appends a case-sensitive char_wb block and folds its plain model (C × (k−1)/k) in as the last base', () => {
    const docs = parseLabeledText(multiLabelCsv(90), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const names = labelSet(docs), L = names.length, labels = docs.map((d) => d.labels.map((l) => names.indexOf(l)));
    // capitals on some documents: the lowercasing blocks cannot tell these apart, the case block can
    const texts = docs.map((d, i) => (i % 3 === 0 ? d.text.toUpperCase() : d.text));
    const clf = trainTextClassifier({ texts, labels, labelNames: names, mode: 'multi-label', options: {} }), k = 5, M = 2;
    const A = Float32Array.from({ length: (M * L + 1) * L }, (_, i) => Math.cos(i + 1) / 2);
    const folded = foldStack(clf, texts, labels, { scores: new Float32Array(0), A, nbWords: false, nbChars: false, caseChars: true, shape: null, encoder: null, allC: null }, k);
    expect(folded.vectorizers.length).toBe(clf.vectorizers.length + 1);
    const caseVec = folded.vectorizers.at(-1)!;
    expect(caseVec.config).toMatchObject({ analyzer: 'char_wb', lowercase: false, ngramRange: clf.options.charNgram });
    expect(caseVec.terms.some((t) => t !== t.toLowerCase())).toBe(true);
    const o = clf.options, Y = labelMatrix(labels, L);
    const caseBlock = caseVec.transform(texts);
    const caseModel = fitLogisticRegression([caseBlock], Y, L, { maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, C: (o.C * (k - 1)) / k, classWeight: o.classWeight }).model;
    const bases = [decisionFunction(clf.linear, clf.vectorizers.map((v) => v.transform(texts))), decisionFunction(caseModel, [caseBlock])];
    const got = decisionFunction(folded.linear, folded.vectorizers.map((v) => v.transform(texts)));
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < L; j++) {
        let want = A[M * L * L + j]!;
        bases.forEach((b, m) => { for (let c = 0; c < L; c++) want += A[(m * L + c) * L + j]! * b[i * L + c]!; });
        expect(got[i * L + j]!).toBeCloseTo(want, 3);
      }
    }
    // the stored model scores like the one in memory, through predict and the fused scorer of the scoring threads
    const loaded = TextClassifierModel.deserialize(folded.serialize()), p = folded.predict(texts);
    expect(Array.from(loaded.predict(texts))).toEqual(Array.from(p));
    const fused = new FusedTextScorer(loaded).score(texts);
    for (let x = 0; x < p.length; x++) expect(fused[x]!).toBeCloseTo(p[x]!, 5);
  });
});

describe('foldStack with encoder', () => {
  it('appends an encoder block after the n-gram blocks and folds the encoder base (ENCODER_C × (k−1)/k) in; stored, predict, the fused scorer and predictTexts agree', async () => {
    const docs = parseLabeledText(multiLabelCsv(90), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
    const names = labelSet(docs), L = names.length, labels = docs.map((d) => d.labels.map((l) => names.indexOf(l))), texts = docs.map((d) => d.text);
    const clf = trainTextClassifier({ texts, labels, labelNames: names, mode: 'multi-label', options: {} }), k = 5, M = 2;
    const E = await embedTexts(texts), rows = texts.map((_, i) => i);
    const A = Float32Array.from({ length: (M * L + 1) * L }, (_, i) => Math.cos(2 * i + 1) / 2);
    const folded = foldStack(clf, texts, labels, { scores: new Float32Array(0), A, nbWords: false, nbChars: false, caseChars: false, shape: null, encoder: E, allC: null }, k);
    expect(folded.vectorizers).toEqual(clf.vectorizers);
    expect(folded.encoder).toMatchObject({ dim: ENCODER_DIM });
    const e = encoderFit(clf.options), Y = labelMatrix(labels, L);
    const encModel = fitEncoderBase(E, rows, Y, L, { ...e, C: (e.C * (k - 1)) / k });
    const bases = [decisionFunction(clf.linear, clf.vectorizers.map((v) => v.transform(texts))), decisionFunction(encModel, embeddingRows(E, rows))];
    const got = decisionFunction(folded.linear, folded.blocks(texts, new Map(), E));
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < L; j++) {
        let want = A[M * L * L + j]!;
        bases.forEach((b, m) => { for (let c = 0; c < L; c++) want += A[(m * L + c) * L + j]! * b[i * L + c]!; });
        expect(got[i * L + j]!).toBeCloseTo(want, 3);
      }
    }
    const loaded = TextClassifierModel.deserialize(folded.serialize()), p = folded.predict(texts, E);
    expect(Array.from(loaded.predict(texts, E))).toEqual(Array.from(p));
    expect(Array.from(await predictTexts(loaded, texts))).toEqual(Array.from(p));
    const fused = new FusedTextScorer(loaded);
    expect(fused.needsEmbeddings).toBe(true);
    expect(() => fused.score(texts)).toThrow(/sentence-encoder block/);
    const f = fused.score(texts, undefined, E);
    for (let x = 0; x < p.length; x++) expect(f[x]!).toBeCloseTo(p[x]!, 5);
  }, 60_000);
});
