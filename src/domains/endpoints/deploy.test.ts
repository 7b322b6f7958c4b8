/**
 * The endpoints service's one deploy (used by deploy-on-approval, pipeline deploy steps and fine-tuning): creates
 * the endpoint, or re-points it when it exists; two deploys of a new name at once both succeed (one creates, the
 * other re-points instead of failing ALREADY_EXISTS); NAME@alias is resolved; a bad name is refused.
 */
import { describe, expect, it } from 'vitest';
import { useAppWithTextEndpoint } from './testing.ts';

describe('endpoints.deploy', () => {
  const app = useAppWithTextEndpoint('tickets-ep');

  it('creates or re-points, once per name even when two deploys race; resolves NAME@alias', async () => {
    const { endpoints, registry } = app.t.ctx.services;
    const both = await Promise.all([endpoints.deploy('fresh', 'tickets:1'), endpoints.deploy('fresh', 'tickets:1')]);
    expect(both.sort()).toEqual(['created', 'updated']);
    expect((await endpoints.list({})).items.filter((e) => e.name === 'fresh')).toHaveLength(1);
    await registry.setAlias('tickets', 'champion', 1, 'test');
    expect(await endpoints.deploy('tickets-ep', 'tickets@champion')).toBe('updated');
    expect(await endpoints.get('tickets-ep')).toMatchObject({ model: { name: 'tickets', version: 1 } });
    await expect(endpoints.deploy('bad name!', 'tickets:1')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', problems: [expect.objectContaining({ field: 'name' })] });
  }, 60_000);
});
