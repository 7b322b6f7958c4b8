/**
 * Applying pipeline definitions through the real app (issue 14): validation errors name the step and field and
 * store nothing (cycle, dangling reference, unknown parameter, a condition on an output the step does not produce,
 * an unregistered job type); the same definition twice keeps its version, a changed one is a new version; runs page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problem, type TestApp } from '../datasets/testing/harness.ts';
import { pipeline, ref } from './builder.ts';
import { exampleDefinition } from './testing.ts';

describe('pipelines apply', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { worker: false });
  }, 60_000);
  afterAll(async () => t?.close());

  const apply = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/pipelines', payload: payload as object });
  const stored = async () => ({
    pipelines: await t.ctx.db.selectFrom('pipelines').selectAll().execute(),
    versions: await t.ctx.db.selectFrom('pipeline_versions').select('id').execute(),
  });
  /** The example with one change applied to a copy. */
  const broken = (change: (d: ReturnType<typeof exampleDefinition>) => void) => {
    const d = exampleDefinition();
    change(d);
    return d;
  };
  const step = (d: ReturnType<typeof exampleDefinition>, name: string) => d.steps.find((s) => s.name === name)! as Record<string, any>;

  it.each([
    ['a cycle', (d: any) => step(d, 'data').dependsOn = ['evaluate'], 'steps.data.dependsOn', /cycle: data → evaluate → train → data|cycle/],
    ['a dangling dependsOn', (d: any) => step(d, 'train').dependsOn = ['prepare'], 'steps.train.dependsOn', /"prepare", which is not a step/],
    ['a dangling output reference', (d: any) => step(d, 'evaluate').inputs.model = '${{ steps.fit.outputs.model.id }}', 'steps.evaluate.inputs.model', /step "fit", which is not a step/],
    ['an unknown parameter', (d: any) => step(d, 'train').inputs.name = '${{ params.model_name }}', 'steps.train.inputs.name', /unknown parameter "model_name"/],
    ['a condition on a metric the step does not produce', (d: any) => step(d, 'check-f1').if.left = '${{ steps.evaluate.outputs.metrics.macro_f2 }}', 'steps.check-f1.if.left', /does not produce metrics.macro_f2/],
    ['a reference to a result field the job type lacks', (d: any) => step(d, 'register').inputs.model = '${{ steps.train.outputs.modelId }}', 'steps.register.inputs.model', /does not produce modelId.*it has: model, metrics/],
    ['a numeric comparison on text', (d: any) => step(d, 'check-f1').if.left = '${{ steps.train.outputs.model.name }}', 'steps.check-f1.if.left', /"gte" compares numbers/],
    ['an unregistered job type', (d: any) => step(d, 'train').jobType = 'text.fit', 'steps.train.jobType', /no job type "text.fit"/],
    ['a then-branch naming no step', (d: any) => step(d, 'check-f1').then = ['publish'], 'steps.check-f1.then', /"publish", which is not a step/],
    ['a bad parameter default', (d: any) => d.parameters.minF1.default = 'high', 'parameters.minF1.default', /not a number/],
    ['a reserved pipeline name', (d: any) => d.name = 'runs', 'name', /"runs" is reserved/],
  ])('refuses %s with PIPELINE_INVALID naming the field, storing nothing', async (_what, change, field, message) => {
    const before = await stored();
    const res = await apply(broken(change));
    expect(res.statusCode, res.body).toBe(400);
    const p = problem(res);
    expect(p.code).toBe('PIPELINE_INVALID');
    expect(p.problems).toEqual(expect.arrayContaining([expect.objectContaining({ field, problem: expect.stringMatching(message), fix: expect.any(String) })]));
    expect(await stored()).toEqual(before);
  });

  it('names the step in schema errors too (a missing jobType, an unknown step type)', async () => {
    const res = await apply(broken((d) => { delete step(d, 'train').jobType; step(d, 'deploy').type = 'publish'; }));
    expect(problem(res).problems!.map((p) => p.field)).toEqual(expect.arrayContaining(['steps.train.jobType', 'steps.deploy.type']));
  });

  it('keeps the version for the same definition (YAML or JSON), makes a new one when it changes', async () => {
    const yaml = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../../examples/pipelines/retrain-text-classifier.yaml', import.meta.url), 'utf8'));
    const first = await apply({ text: yaml });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ name: 'retrain-text-classifier', version: 1, created: true });
    const again = await apply(exampleDefinition());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 1, created: false });
    const changed = await apply(broken((d) => (d.parameters!.minF1!.default = 0.7)));
    expect(changed.json()).toMatchObject({ version: 2, created: true });
    const versions = (await t.app.inject({ method: 'GET', url: '/api/v1/pipelines/retrain-text-classifier/versions' })).json<{ items: Array<{ version: number; definition: any }> }>().items;
    expect(versions.map((v) => [v.version, v.definition.parameters.minF1.default])).toEqual([[1, 0.5], [2, 0.7]]);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/pipelines' })).json<{ items: unknown[] }>().items;
    expect(list).toEqual([expect.objectContaining({ name: 'retrain-text-classifier', latestVersion: 2 })]);
  });

  it('builds the same definition in TypeScript', async () => {
    const def = pipeline('built', 'from code')
      .param('dataset', 'string')
      .step({ name: 'data', type: 'processing', jobType: 'pipelines.dataset-version', inputs: { dataset: ref.param('dataset') } })
      .step({ name: 'big', type: 'condition', if: { left: ref.step('data', 'rowCount'), op: 'gt', right: 100 }, then: ['stop'] })
      .step({ name: 'stop', type: 'fail', inputs: { message: 'too big' } })
      .build();
    expect((await apply(def)).json()).toMatchObject({ name: 'built', version: 1, created: true });
    const bad = await apply({ ...def, steps: [...def.steps.slice(0, 1), { ...def.steps[1]!, if: { left: ref.step('data', 'rows'), op: 'gt', right: 100 } }, def.steps[2]] });
    expect(problem(bad).problems).toEqual([expect.objectContaining({ field: 'steps.big.if.left', problem: expect.stringContaining('does not produce rows') })]);
  });

  it('pages runs newest first with the shared opaque cursor; a made-up cursor is BAD_REQUEST', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/pipelines/built/runs', payload: { params: { dataset: `d${i}` } } });
      expect(res.statusCode, res.body).toBe(202);
      ids.unshift(res.json<{ id: string }>().id);
    }
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = (await t.app.inject({ method: 'GET', url: `/api/v1/pipelines/runs?pipeline=built&limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json<{ items: Array<{ id: string }>; nextCursor: string | null }>();
      seen.push(...page.items.map((r) => r.id));
      expect(page.nextCursor ?? '').not.toContain(page.items.at(-1)?.id ?? '-'); // opaque, not the raw id
      cursor = page.nextCursor ?? '';
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(problem(await t.app.inject({ method: 'GET', url: '/api/v1/pipelines/runs?cursor=%27%20or%201' })).code).toBe('BAD_REQUEST');
  });

  it('answers PIPELINE_NOT_FOUND for an unknown pipeline or version', async () => {
    expect(problem(await t.app.inject({ method: 'GET', url: '/api/v1/pipelines/nope' })).code).toBe('PIPELINE_NOT_FOUND');
    expect(problem(await t.app.inject({ method: 'GET', url: '/api/v1/pipelines/retrain-text-classifier/versions/9' })).code).toBe('PIPELINE_NOT_FOUND');
  });
});
