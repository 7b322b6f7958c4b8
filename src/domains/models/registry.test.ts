/**
 * Registry governance through the real app (issue 14): approval status per version with who (the API token's name),
 * when and why; aliases moved atomically (one holder per alias, also under concurrent moves) and resolved as
 * NAME@alias; tags and the model card (metrics and training data lineage from the version).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';

const ALICE = 'alice:alice-token-0123456789abcdef';
const PLAIN = 'plain-token-0123456789abcdef';
const asAlice = { authorization: 'Bearer alice-token-0123456789abcdef' };
const asPlain = { authorization: `Bearer ${PLAIN}` };

let t: TestApp;

/** A ready version of `name` with metrics and a dataset in its params, made through the model service. */
async function version(name: string, ready = true): Promise<number> {
  const m = await t.ctx.services.models.create({ name, kind: 'text-classifier', datasetVersionId: 'dsv_x1', params: { dataset: { ref: 'tickets', version: 3 }, mode: 'multi-class' } });
  if (ready) await t.ctx.services.models.markReady(m.id, { metrics: { accuracy: 0.91, macro_f1: 0.88, per_label: { a: 1 } }, artifacts: {} });
  return m.version;
}

beforeAll(async () => {
  t = await createTestApp({ apiTokens: [ALICE, PLAIN] }, { worker: false });
});
afterAll(async () => t?.close());

describe('approval', () => {
  it('starts PendingManualApproval and records who (token name), when and why', async () => {
    const v = await version('churn');
    const url = `/api/v1/models/churn/versions/${v}/approval`;
    const fresh = await t.app.inject({ url, headers: asAlice });
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.json()).toMatchObject({ status: 'PendingManualApproval', updatedBy: null, history: [] });

    const noReason = await t.app.inject({ method: 'PUT', url, headers: asAlice, payload: { status: 'Rejected' } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ code: 'MODEL_APPROVAL_INVALID', problems: [{ field: 'reason' }] });
    const badStatus = await t.app.inject({ method: 'PUT', url, headers: asAlice, payload: { status: 'Staging' } });
    expect(badStatus.json()).toMatchObject({ code: 'MODEL_APPROVAL_INVALID', problems: [{ field: 'status' }] });

    const approved = await t.app.inject({ method: 'PUT', url, headers: asAlice, payload: { status: 'Approved', reason: 'holdout F1 0.88' } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'Approved', updatedBy: 'alice', reason: 'holdout F1 0.88', changed: true });
    const again = await t.app.inject({ method: 'PUT', url, headers: asAlice, payload: { status: 'Approved' } });
    expect(again.json()).toMatchObject({ changed: false, updatedBy: 'alice' });

    // A plain token (no name) is named by its position in SAGEBRUSH_API_TOKENS.
    const rejected = await t.app.inject({ method: 'PUT', url, headers: asPlain, payload: { status: 'Rejected', reason: 'drift on March data' } });
    expect(rejected.json()).toMatchObject({ status: 'Rejected', updatedBy: 'token-2' });
    const history = (await t.app.inject({ url, headers: asAlice })).json<{ history: Array<{ status: string; previousStatus: string; by: string; at: string; reason: string }> }>().history;
    expect(history.map((h) => [h.previousStatus, h.status, h.by, h.reason])).toEqual([
      ['Approved', 'Rejected', 'token-2', 'drift on March data'],
      ['PendingManualApproval', 'Approved', 'alice', 'holdout F1 0.88'],
    ]);
    expect(Number.isNaN(Date.parse(history[0]!.at))).toBe(false);
  });

  it('refuses to approve a version that is not ready, and any change without a token', async () => {
    const v = await version('churn', false);
    const res = await t.app.inject({ method: 'PUT', url: `/api/v1/models/churn/versions/${v}/approval`, headers: asAlice, payload: { status: 'Approved' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('MODEL_APPROVAL_CONFLICT');
    const anon = await t.app.inject({ method: 'PUT', url: `/api/v1/models/churn/versions/${v}/approval`, payload: { status: 'Rejected', reason: 'x' } });
    expect(anon.statusCode).toBe(401);
  });
});

describe('aliases', () => {
  it('moves an alias atomically: two concurrent moves leave one holder', async () => {
    const [v1, v2, v3] = [await version('fraud'), await version('fraud'), await version('fraud')];
    const set = (alias: string, v: number) => t.app.inject({ method: 'PUT', url: `/api/v1/models/fraud/aliases/${alias}`, headers: asAlice, payload: { version: v } });
    expect((await set('champion', v1)).json()).toMatchObject({ alias: 'champion', version: v1, previousVersion: null });
    const [a, b] = await Promise.all([set('champion', v2), set('champion', v3)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const rows = await t.ctx.db.selectFrom('model_aliases').selectAll().where('model_name', '=', 'fraud').where('alias', '=', 'champion').execute();
    expect(rows).toHaveLength(1);
    const holder = (await t.ctx.services.models.getById(rows[0]!.model_id)).version;
    expect([v2, v3]).toContain(holder);
    // The two moves were serialised: the later one saw the earlier one's version as previous.
    const prevs = [a.json<{ previousVersion: number }>().previousVersion, b.json<{ previousVersion: number }>().previousVersion].sort();
    expect(prevs).toEqual([v1, holder === v2 ? v3 : v2].sort());
    const list = (await t.app.inject({ url: '/api/v1/models/fraud/aliases', headers: asAlice })).json<{ items: Array<{ alias: string; version: number; updatedBy: string }> }>().items;
    expect(list).toEqual([expect.objectContaining({ alias: 'champion', version: holder, updatedBy: 'alice' })]);
  });

  it('resolves NAME@alias wherever a model reference is accepted, and refuses bad or missing aliases', async () => {
    const v = await version('spam');
    await version('spam');
    await t.app.inject({ method: 'PUT', url: '/api/v1/models/spam/aliases/challenger', headers: asAlice, payload: { version: v } });
    expect((await t.ctx.services.models.resolve('spam@challenger')).version).toBe(v);
    await expect(t.ctx.services.models.resolve('spam@champion')).rejects.toMatchObject({ code: 'MODEL_ALIAS_NOT_FOUND' });
    // An endpoint's `model` goes through the same resolver: the alias's error, not a bad reference.
    const ep = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', headers: asAlice, payload: { name: 'spam-ep', model: 'spam@nobody' } });
    expect(ep.statusCode).toBe(404);
    expect(ep.json().code).toBe('MODEL_ALIAS_NOT_FOUND');
    for (const alias of ['latest', 'v2', '9lives']) {
      const bad = await t.app.inject({ method: 'PUT', url: `/api/v1/models/spam/aliases/${alias}`, headers: asAlice, payload: { version: v } });
      expect(bad.json(), alias).toMatchObject({ code: 'MODEL_ALIAS_INVALID', problems: [{ field: 'alias' }] });
    }
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/models/spam/aliases/challenger', headers: asAlice });
    expect(del.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'DELETE', url: '/api/v1/models/spam/aliases/challenger', headers: asAlice });
    expect(gone.json().code).toBe('MODEL_ALIAS_NOT_FOUND');
  });
});

describe('tags and model card', () => {
  it('merges tags and renders a card with metrics and training data lineage', async () => {
    const v = await version('triage');
    const base = `/api/v1/models/triage/versions/${v}`;
    expect((await t.app.inject({ method: 'PUT', url: `${base}/tags`, headers: asAlice, payload: { tags: { team: 'claims', risk: 'low' } } })).json()).toEqual({ tags: { risk: 'low', team: 'claims' } });
    expect((await t.app.inject({ method: 'PUT', url: `${base}/tags`, headers: asAlice, payload: { tags: { risk: 'high' } } })).json()).toEqual({ tags: { risk: 'high', team: 'claims' } });
    const bad = await t.app.inject({ method: 'PUT', url: `${base}/tags`, headers: asAlice, payload: { tags: { 'bad key': 'x' } } });
    expect(bad.json()).toMatchObject({ code: 'MODEL_TAG_INVALID', problems: [{ field: 'tags.bad key' }] });
    expect((await t.app.inject({ method: 'DELETE', url: `${base}/tags/team`, headers: asAlice })).statusCode).toBe(204);

    const put = await t.app.inject({ method: 'PUT', url: `${base}/card`, headers: asAlice, payload: { description: 'Routes claims tickets.', intendedUse: 'Triage suggestions for agents; not for denials.' } });
    expect(put.statusCode, put.body).toBe(200);
    await t.app.inject({ method: 'PUT', url: '/api/v1/models/triage/aliases/champion', headers: asAlice, payload: { version: v } });
    const card = (await t.app.inject({ url: `${base}/card`, headers: asAlice })).json();
    expect(card).toMatchObject({
      description: 'Routes claims tickets.',
      intendedUse: 'Triage suggestions for agents; not for denials.',
      updatedBy: 'alice',
      approval: 'PendingManualApproval',
      metrics: { accuracy: 0.91, macro_f1: 0.88 },
      lineage: { datasetVersionId: 'dsv_x1', dataset: { ref: 'tickets', version: 3 } },
      tags: { risk: 'high' },
      aliases: ['champion'],
    });
    expect(card.metrics.per_label).toBeUndefined();
    const tooLong = await t.app.inject({ method: 'PUT', url: `${base}/card`, headers: asAlice, payload: { limitations: 'x'.repeat(20_001) } });
    expect(tooLong.json()).toMatchObject({ code: 'MODEL_CARD_INVALID', problems: [{ field: 'limitations' }] });
  });
});
