/**
 * The `edge.deploy` job (a pipeline's deploy-to-fleet step) through the real app's job queue: it deploys a detector
 * version to a fleet, a second run of the same payload (a retry, a re-queue after a crash) reuses the standing
 * deployment instead of making another, and a bad reference fails with the deployments' documented code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { registerFixtureDetector } from './testing/detectorFixture.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' });
}, 120_000);
afterAll(async () => t?.close());

async function deploy(payload: { model: string; fleet: string; canary?: number }) {
  const job = await t.ctx.queue.enqueue('edge.deploy', payload);
  return t.ctx.queue.wait(job.id, { timeoutMs: 60_000 });
}

describe('edge.deploy job', () => {
  it('deploys to the fleet once: a second run reuses the standing deployment; a non-detector is refused', async () => {
    const deps = { models: t.ctx.services.models, artifacts: t.ctx.artifacts };
    const v1 = await registerFixtureDetector(deps, 'det');
    const v2 = await registerFixtureDetector(deps, 'det');
    await t.ctx.services.edge.createFleet({ name: 'line-1' });
    await t.ctx.services.edge.registerDevice('line-1', 'a');
    await t.ctx.services.edge.registerDevice('line-1', 'b');

    const first = await deploy({ model: 'det:1', fleet: 'line-1' });
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    expect(first.result).toMatchObject({ model: { id: v1.id, name: 'det', version: 1 }, fleet: 'line-1', reused: false, deployment: { state: 'promoted' } });
    const canary = await deploy({ model: v2.id, fleet: 'line-1', canary: 0.5 });
    expect(canary.result).toMatchObject({ model: { id: v2.id, version: 2 }, reused: false, deployment: { state: 'canary', canaryShare: 0.5, canaryDevices: 1 } });
    const again = await deploy({ model: 'det:2', fleet: 'line-1', canary: 0.5 });
    expect(again.result).toMatchObject({ reused: true, deployment: { id: (canary.result as { deployment: { id: string } }).deployment.id } });
    expect((await t.ctx.services.edge.deployments('line-1')).map((d) => [d.model, d.state, d.createdBy])).toEqual([['det:2', 'canary', 'pipeline'], ['det:1', 'promoted', 'pipeline']]);

    const text = await t.ctx.services.models.create({ name: 'not-a-detector', kind: 'text-classifier', params: {} });
    const refused = await deploy({ model: text.id, fleet: 'line-1' });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'EDGE_DEPLOYMENT_INVALID' } });
    expect((await deploy({ model: 'det:1', fleet: 'no-such-fleet' })).error).toMatchObject({ code: 'EDGE_FLEET_NOT_FOUND' });
  }, 120_000);
});
