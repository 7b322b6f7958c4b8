/**
 * `sagebrush pipelines …` as a user runs it (a real process on a temp embedded store) on the bundled example
 * pipeline and a real small text dataset (examples/text/jigsaw-toxic-1k.csv): the two JSON contracts scripts depend
 * on (`apply --json` → {name, version}; `run --wait --json` → {run, status, steps: [{name, status, worker, seconds,
 * cached}]}), approval then deploy from a later command, cached steps on a second run, refusals with exit 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/pipelines/retrain-text-classifier.yaml');
const { dir, cli, cleanup, json, refused } = createCliSandbox('pipelines');
afterAll(cleanup);

describe('sagebrush pipelines', () => {
  it('applies the example, runs it to the approval, deploys once approved, reuses cached steps', async () => {
    await json(['datasets', 'import', join(ROOT, 'examples/text/jigsaw-toxic-1k.csv'), '--name', 'toxic']);
    expect(await json(['pipelines', 'apply', EXAMPLE])).toEqual({ name: 'retrain-text-classifier', version: 1 });
    expect(await json(['pipelines', 'apply', EXAMPLE])).toEqual({ name: 'retrain-text-classifier', version: 1 });

    const run = await json(['pipelines', 'run', 'retrain-text-classifier', '--param', 'dataset=toxic', '--param', 'minF1=0.3', '--wait']);
    expect(Object.keys(run)).toEqual(['run', 'status', 'steps']);
    expect(run.status).toBe('waiting');
    for (const s of run.steps) expect(Object.keys(s)).toEqual(['name', 'status', 'worker', 'seconds', 'cached']);
    expect(run.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'data:succeeded', 'train:succeeded', 'evaluate:succeeded', 'check-f1:succeeded', 'register:succeeded', 'approve:waiting', 'deploy:pending', 'champion:pending', 'too-weak:skipped',
    ]);
    expect(run.steps[1]).toMatchObject({ worker: expect.stringMatching(/\/\d+$/), seconds: expect.any(Number), cached: false });

    expect((await cli(['models', 'approve', 'text-classifier:1'])).code).toBe(0);
    // One-shot commands start no orchestrator: the approval alone moves nothing; `resume` carries the run on.
    expect((await json(['pipelines', 'show', run.run])).status).toBe('waiting');
    const resumed = await json(['pipelines', 'resume', run.run]);
    expect(resumed.status, JSON.stringify(resumed.steps)).toBe('succeeded');
    expect(resumed.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`).slice(5, 8)).toEqual(['approve:succeeded', 'deploy:succeeded', 'champion:succeeded']);
    expect((await json(['endpoints', 'list'])).items).toEqual([expect.objectContaining({ name: 'text-classifier', model: expect.objectContaining({ version: 1 }) })]);
    const logs = (await json(['pipelines', 'logs', run.run, '--step', 'train'])).items as Array<{ message: string }>;
    expect(logs.length).toBeGreaterThan(1);

    const again = await json(['pipelines', 'run', 'retrain-text-classifier', '--param', 'dataset=toxic', '--param', 'minF1=0.3', '--wait']);
    expect(again.status).toBe('succeeded');
    expect(Object.fromEntries(again.steps.map((s: { name: string; cached: boolean }) => [s.name, s.cached]))).toMatchObject({ data: false, train: true, evaluate: true });
    expect((await json(['pipelines', 'runs'])).items).toHaveLength(2);
  }, 240_000);

  it('refuses a bad file, an unknown parameter and an unknown run with exit 1 and the code', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nsteps:\n  - {name: a, type: fail, dependsOn: [b], inputs: {message: x}}\n');
    expect(await refused(['pipelines', 'apply', bad])).toMatchObject({ code: 'PIPELINE_INVALID', problems: [expect.objectContaining({ field: 'steps.a.dependsOn' })] });
    expect(await refused(['pipelines', 'run', 'retrain-text-classifier', '--param', 'dataset=toxic', '--param', 'epochs=3'])).toMatchObject({ code: 'PIPELINE_PARAM_INVALID', problems: [expect.objectContaining({ field: 'params.epochs' })] });
    expect(await refused(['pipelines', 'cancel', 'prun_nope'])).toMatchObject({ code: 'PIPELINE_RUN_NOT_FOUND' });
  }, 120_000);
});

describe('pipelines runs: the trigger column', () => {
  it('says what started each run', async () => {
    const { triggerLabel } = await import('./pipelines.ts');
    expect(triggerLabel({ type: 'manual', detail: { via: 'api' } })).toBe('manual (api)');
    expect(triggerLabel({ type: 'schedule', detail: { scheduledFor: '2026-01-01T02:00:00.000Z' } })).toBe('schedule 2026-01-01T02:00:00.000Z');
    expect(triggerLabel({ type: 'dataset-version', detail: { dataset: 'sales', version: 2 } })).toBe('dataset-version sales v2');
    expect(triggerLabel({ type: 'approval', detail: { model: 'churn', version: 3 } })).toBe('approval churn:3');
    expect(triggerLabel({ type: 'feature-records', detail: { group: 'labels', count: 5 } })).toBe('feature-records labels +5');
  });
});
