/**
 * The prediction-quality commands as a user runs them: a real `sagebrush` process on a temp embedded store,
 * checking the `--json` contracts (tune: thresholds + before/after with `text train --json`'s metric names) and
 * that --plot writes the figure.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';
import { multiLabelCsv } from '../domains/text/testing/synthetic.ts';
import { parseObjective } from './quality.ts';

const { dir, cli, cleanup } = createCliSandbox('quality');
afterAll(cleanup);

describe('sagebrush text tune / decision / sweep / noisy-labels', () => {
  it('parses objectives', () => {
    expect(parseObjective('f1')).toEqual({ objective: 'f1' });
    expect(parseObjective('f0.5')).toEqual({ objective: 'f0.5' });
    expect(parseObjective('fbeta=3')).toEqual({ objective: 'fbeta', beta: 3 });
    expect(parseObjective('precision>=0.9')).toEqual({ objective: { precision: 0.9 } });
    expect(parseObjective('recall>=.8')).toEqual({ objective: { recall: 0.8 } });
    expect(() => parseObjective('accuracy')).toThrow(/Unknown objective/);
  });

  it('tunes a trained model (--json, --plot) and edits its decision rule', async () => {
    const file = join(dir, 'multi.csv');
    writeFileSync(file, multiLabelCsv(150));
    const train = await cli(['--json', 'text', 'train', file, '--mode', 'multi-label', '--name', 'multi']);
    expect(train.code, train.stderr).toBe(0);
    const plot = join(dir, 'pr.png');
    const r = await cli(['--json', 'text', 'tune', 'multi', '--objective', 'f1', '--plot', plot]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toMatchObject({ name: 'multi', version: 1 });
    expect(Object.keys(out.thresholds).sort()).toEqual(['account', 'billing', 'shipping']);
    const trained = JSON.parse(train.stdout);
    for (const part of [out.before, out.after]) {
      for (const key of ['labels', 'macro_f1', 'micro_f1', 'per_label', 'mean_auc', 'hamming_loss']) expect(part).toHaveProperty(key);
      expect(Object.keys(part.per_label.billing).sort()).toEqual(Object.keys(trained.per_label.billing).sort());
    }
    expect(out.before.macro_f1).toBe(trained.macro_f1);
    expect(readFileSync(plot).subarray(1, 4).toString()).toBe('PNG');
    const set = await cli(['--json', 'text', 'decision', 'multi:1', '--set', 'billing=0.9']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ source: 'manual', thresholds: { billing: 0.9 } });
  }, 90_000);

  it('--c-grid chooses C (and with --balanced-grid class weights) per label and refits a new version', async () => {
    const r = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--c-grid', '0.5,4', '--balanced-grid', '--smoothing', '0.1']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toMatchObject({ name: 'multi', version: 2 });
    expect(out.refittedFrom).toMatchObject({ version: 1 });
    expect(Object.keys(out.labelC).sort()).toEqual(['account', 'billing', 'shipping']);
    expect(Object.keys(out.labelClassWeight).sort()).toEqual(['account', 'billing', 'shipping']);
  }, 90_000);

  it('--stack refits a new version with the combiner (--stack-nb-words: with the NB word base)', async () => {
    const r = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--stack-nb-words']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.refittedFrom).toMatchObject({ version: 1 });
    expect(out.stack).toEqual({ bases: ['word+char', 'nb-words'], combinerC: 0.1 });
    const plain = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).stack).toEqual({ bases: ['word+char'], combinerC: 0.1 });
    // --stack-all-c: one base per grid setting; without --c-grid it is refused, naming the field
    // (with --stack-nb-chars, the NB char model is one more base)
    const all = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--c-grid', '0.5,4', '--stack-all-c', '--stack-nb-chars']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).stack).toEqual({ bases: ['word+char C=0.5', 'word+char C=4', 'nb-chars'], combinerC: 0.1 });
    // --stack-case-chars: a case-sensitive char model as one more base
    const cased = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--stack-case-chars']);
    expect(cased.code, cased.stderr).toBe(0);
    expect(JSON.parse(cased.stdout).stack).toEqual({ bases: ['word+char', 'case-chars'], combinerC: 0.1 });
    // --stack-shape: the per-document shape features as more combiner inputs (with the case chars: both)
    const shaped = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--stack-case-chars', '--stack-shape']);
    expect(shaped.code, shaped.stderr).toBe(0);
    expect(JSON.parse(shaped.stdout).stack).toEqual({ bases: ['word+char', 'case-chars', 'shape'], combinerC: 0.1 });
    // --stack-encoder: a pretrained sentence encoder's embeddings as one more base
    const encoded = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--stack-encoder']);
    expect(encoded.code, encoded.stderr).toBe(0);
    expect(JSON.parse(encoded.stdout).stack).toEqual({ bases: ['word+char', 'sentence-encoder'], combinerC: 0.1 });
    // --threshold-bags: thresholds bagged over bootstrap resamples (objective f1 only)
    const bagged = await cli(['--json', 'text', 'tune', 'multi:1', '--folds', '3', '--stack', '--threshold-bags', '10']);
    expect(bagged.code, bagged.stderr).toBe(0);
    const baggedOut = JSON.parse(bagged.stdout) as { thresholds: Record<string, number>; thresholdRule: string };
    for (const th of Object.values(baggedOut.thresholds)) expect(th > 0 && th < 1).toBe(true);
    // the rule that chose them is kept with the result (and the version's decision): provenance
    expect(baggedOut.thresholdRule).toBe('mean logit of the F-best thresholds of 10 bootstrap resamples (seed 0)');
    const bagsF2 = await cli(['text', 'tune', 'multi:1', '--stack', '--threshold-bags', '10', '--objective', 'f2']);
    expect(bagsF2.code).not.toBe(0);
    expect(bagsF2.stderr).toContain("thresholdBags needs objective 'f1'");
    const refused = await cli(['text', 'tune', 'multi:1', '--stack', '--stack-all-c']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/stackAllC needs stack and cGrid/);
    // a flag that modifies another is sent as given, so the API's refusal reaches the user instead of the flag being dropped
    for (const [flag, field, needs] of [['--stack-nb-words', 'stackNbWords', 'stack'], ['--stack-nb-chars', 'stackNbChars', 'stack'], ['--stack-case-chars', 'stackCaseChars', 'stack'], ['--stack-shape', 'stackShape', 'stack'], ['--stack-encoder', 'stackEncoder', 'stack'], ['--balanced-grid', 'balancedGrid', 'cGrid']] as const) {
      const r2 = await cli(['text', 'tune', 'multi:1', flag]);
      expect(r2.code, flag).not.toBe(0);
      expect(r2.stderr).toContain(`${field} needs ${needs}`);
    }
  }, 120_000);

  it('sweeps a label of an imported dataset and lists suspicious rows', async () => {
    const plot = join(dir, 'sweep.svg');
    const s = await cli(['--json', 'text', 'sweep', 'multi', '--mode', 'multi-label', '--label', 'billing', '--positives', '5,20', '--plot', plot]);
    expect(s.code, s.stderr).toBe(0);
    const sweep = JSON.parse(s.stdout);
    expect(sweep.points.map((p: { n: number }) => p.n)).toEqual([5, 20]);
    expect(sweep).not.toHaveProperty('chartSvg');
    expect(readFileSync(plot, 'utf8').startsWith('<svg')).toBe(true);
    const n = await cli(['text', 'noisy-labels', 'multi', '--mode', 'multi-label', '--top', '5']);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/5 most suspicious of 150 rows/);
    expect(n.stdout.split('\n').filter((l) => /^\d+\s+\d\.\d{3}/.test(l))).toHaveLength(5);
  }, 90_000);
});
