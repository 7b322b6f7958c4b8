/**
 * `sagebrush edge …` as a user runs it (real processes on a temp embedded store): create a fleet, register a device
 * (token printed once), deploy NAME@VERSION, fleet status as JSON, revoke; bad values refused with exit 1 naming
 * the field.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../app/context.ts';
import { loadConfig } from '../core/config.ts';
import { registerFixtureDetector } from '../domains/edge/testing/detectorFixture.ts';
import { createCliSandbox } from './testing.ts';

const { dataDir, json, refused, cleanup } = createCliSandbox('edge');
afterAll(cleanup);

describe('sagebrush edge', () => {
  it('fleets, devices, deploy and status', async () => {
    const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }));
    await registerFixtureDetector({ models: ctx.services.models, artifacts: ctx.artifacts }, 'tag-det');
    await ctx.close();
    expect(await json(['edge', 'fleets', 'create', 'line-1', '--threshold', '0.6'])).toMatchObject({ name: 'line-1', feedbackThreshold: 0.6, canaryShare: 0.5 });
    expect((await refused(['edge', 'fleets', 'create', 'line-2', '--canary', '1.5'])).code).toBe('VALIDATION_FAILED');
    const reg = await json(['edge', 'devices', 'register', 'cam-1', '--fleet', 'line-1']);
    expect(reg).toMatchObject({ device: 'cam-1', fleet: 'line-1', token: expect.stringMatching(/^sbd_/) });
    expect(await json(['edge', 'deploy', 'tag-det@1', '--fleet', 'line-1'])).toMatchObject({ model: 'tag-det:1', state: 'promoted' });
    const status = await json(['edge', 'status', 'line-1']);
    expect(status).toMatchObject({ stableModel: 'tag-det:1', devices: [{ name: 'cam-1', revoked: false, feedback: 0 }], deployments: [{ model: 'tag-det:1', state: 'promoted' }] });
    expect(await json(['edge', 'devices', 'revoke', 'cam-1', '--fleet', 'line-1'])).toMatchObject({ device: 'cam-1', revokedAt: expect.any(String) });
    expect((await refused(['edge', 'deploy', 'tag-det@1', '--fleet', 'nope'])).code).toBe('EDGE_FLEET_NOT_FOUND');
  }, 120_000);
});
