import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, upload, type TestApp } from '../datasets/testing/harness.ts';
import { LABELS_GROUP } from './testing/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' });
}, 120_000);
afterAll(async () => t.close());

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>) =>
  t.app.inject({ method, url: `/api/v1/feature-groups${url}`, ...(payload !== undefined ? { payload: payload as string } : {}), ...(headers ? { headers } : {}) });
const count = async (table: 'feature_records' | 'feature_online') => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('/api/v1/feature-groups', () => {
  it('creates, lists and shows a group; refuses a duplicate and a bad definition naming the field', async () => {
    const created = await api('POST', '', LABELS_GROUP);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'image-labels', recordIdentifierFeature: 'image_id', eventTimeFeature: 'labeled_at', schemaVersion: 1 });
    expect((await api('GET', '')).json().items.map((g: { name: string }) => g.name)).toEqual(['image-labels']);
    expect((await api('POST', '', LABELS_GROUP)).json()).toMatchObject({ code: 'ALREADY_EXISTS' });
    const bad = await api('POST', '', { ...LABELS_GROUP, name: 'bad', eventTimeFeature: 'boxes', features: [...LABELS_GROUP.features, { name: 'x', type: 'float' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'FEATURE_GROUP_INVALID' });
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['features.7.type', 'eventTimeFeature']);
    expect((await api('GET', '/nope')).json()).toMatchObject({ code: 'FEATURE_GROUP_NOT_FOUND' });
  });

  it('a record without its event time is refused naming the field; nothing of the batch is stored', async () => {
    const batch = [
      { image_id: 'a.jpg', labeled_at: '2024-03-01T10:00:00Z', status: 'APPROVED' },
      { image_id: 'b.jpg', status: 'APPROVED', labeler: 'ann' },
      { image_id: 'c.jpg', labeled_at: 'yesterday', score: 'high' },
    ];
    const res = await api('POST', '/image-labels/records', batch);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('FEATURE_RECORD_INVALID');
    expect(body.detail).toContain('"labeled_at" the event time is missing');
    expect(body.problems).toEqual([
      { row: 2, field: 'labeled_at', problem: 'the event time is missing', fix: expect.stringContaining('Add "labeled_at" to every record') },
      { row: 3, field: 'score', problem: '"high" is not a finite number', fix: expect.any(String) },
      { row: 3, field: 'labeled_at', problem: '"yesterday" is not a timestamp', fix: expect.stringContaining('ISO-8601') },
    ]);
    expect(await count('feature_records')).toBe(0);
    expect(await count('feature_online')).toBe(0);
    expect((await api('GET', '/image-labels/records/a.jpg')).json()).toMatchObject({ code: 'FEATURE_RECORD_NOT_FOUND' });
  });

  it('online = the latest by event time even when rows arrive out of order; history keeps every row', async () => {
    const put = (rows: unknown) => api('POST', '/image-labels/records', rows);
    expect((await put([{ image_id: 'img/1.jpg', labeled_at: '2024-03-01T12:00:00Z', status: 'APPROVED', labeler: 'ann', verifier: 'vic', boxes: [{ x: 1, y: 2, w: 3, h: 4, label: 'cat' }] }])).json()).toMatchObject({ written: 1, onlineUpdated: 1 });
    // an older event arriving later joins the history but does not replace the online value
    expect((await put({ image_id: 'img/1.jpg', labeled_at: '2024-03-01T09:00:00Z', status: 'REJECTED', labeler: 'bob' })).json()).toMatchObject({ written: 1, onlineUpdated: 0 });
    const online = await api('GET', `/image-labels/records/${encodeURIComponent('img/1.jpg')}`);
    expect(online.statusCode).toBe(200);
    expect(online.json()).toMatchObject({ recordId: 'img/1.jpg', eventTime: '2024-03-01T12:00:00.000Z', values: { status: 'APPROVED', boxes: [{ label: 'cat' }] } });
    // same event time written later wins
    await put({ image_id: 'img/1.jpg', labeled_at: '2024-03-01T12:00:00Z', status: 'REJECTED', labeler: 'ann', verifier: 'vic' });
    expect((await api('GET', `/image-labels/records/${encodeURIComponent('img/1.jpg')}`)).json().values.status).toBe('REJECTED');
    const history = (await api('GET', `/image-labels/records/${encodeURIComponent('img/1.jpg')}/history`)).json();
    expect(history.items.map((r: { eventTime: string; values: { status: string } }) => [r.eventTime.slice(11, 16), r.values.status])).toEqual([['09:00', 'REJECTED'], ['12:00', 'APPROVED'], ['12:00', 'REJECTED']]);
  });

  it('ingests CSV and JSON Lines uploads; a bad CSV names every row by its line', async () => {
    const csv = 'image_id,labeled_at,status,score,boxes\nimg/2.jpg,2024-03-02T08:00:00Z,APPROVED,0.9,"[{""x"":1}]"\nimg/3.jpg,1709280000000,PENDING,,\n';
    const ok = await api('POST', '/image-labels/records', csv, { 'content-type': 'text/csv' });
    expect(ok.json()).toMatchObject({ written: 2 });
    expect((await api('GET', '/image-labels/records/img%2F2.jpg')).json().values).toMatchObject({ score: 0.9, boxes: [{ x: 1 }] });
    const bad = await api('POST', '/image-labels/records', 'image_id,labeled_at,score\nimg/4.jpg,,0.1\n\nimg/5.jpg,2024-03-02T08:00:00Z,x\n', { 'content-type': 'text/csv' });
    expect(bad.json().problems.map((p: { row: number; field: string }) => [p.row, p.field])).toEqual([[2, 'labeled_at'], [4, 'score']]);
    const jsonl = '{"image_id":"img/6.jpg","labeled_at":"2024-03-03","status":"APPROVED"}\n\n{"image_id":"img/7.jpg","labeled_at":"2024-03-03T00:00:00+02:00","status":"PENDING","extra":1}\n';
    const badLines = await api('POST', '/image-labels/records', jsonl, { 'content-type': 'application/x-ndjson' });
    expect(badLines.json().problems).toEqual([expect.objectContaining({ row: 3, field: 'extra', problem: 'is not a feature of the group' })]);
    expect((await api('GET', '/image-labels/records/img%2F6.jpg')).statusCode).toBe(404);
  });

  it('point-in-time retrieval (JSON and CSV) and the latest APPROVED label per image', async () => {
    const entities = [{ recordId: 'img/1.jpg', timestamp: '2024-03-01T10:00:00Z' }, { recordId: 'img/1.jpg', timestamp: '2024-03-01T08:00:00Z' }, { recordId: 'img/2.jpg', timestamp: '2024-03-05T00:00:00Z' }];
    const res = await api('POST', '/image-labels/retrieve', { entities, features: ['status'] });
    expect(res.json()).toMatchObject({ rows: 3, matched: 2, items: [{ eventTime: '2024-03-01T09:00:00.000Z', values: { status: 'REJECTED' } }, { eventTime: null, values: null }, { values: { status: 'APPROVED' } }] });
    const csv = await api('POST', '/image-labels/retrieve?features=status', 'record_id,timestamp\nimg/1.jpg,2024-03-01T13:00:00Z\n', { 'content-type': 'text/csv' });
    expect(csv.json().items[0].values).toEqual({ status: 'REJECTED' });
    const badEntities = await api('POST', '/image-labels/retrieve', { entities: [{ recordId: 'x' }] });
    expect(badEntities.json()).toMatchObject({ code: 'FEATURE_ENTITIES_INVALID', problems: [{ row: 1, field: 'timestamp' }] });

    const approved = (await api('POST', '/image-labels/latest', { where: { status: 'APPROVED' } })).json();
    expect(approved.items.map((r: { recordId: string; eventTime: string }) => [r.recordId, r.eventTime])).toEqual([['img/1.jpg', '2024-03-01T12:00:00.000Z'], ['img/2.jpg', '2024-03-02T08:00:00.000Z']]);
    const paged = (await api('POST', '/image-labels/latest', { limit: 1 })).json();
    expect(paged).toMatchObject({ items: [{ recordId: 'img/1.jpg', values: { status: 'REJECTED' } }], nextCursor: 'img/1.jpg' });
    expect((await api('POST', '/image-labels/latest', { limit: 5, cursor: 'img/1.jpg' })).json().items.map((r: { recordId: string }) => r.recordId)).toEqual(['img/2.jpg', 'img/3.jpg']);
  });

  it('takes multipart uploads: a records file, and an entity CSV with its option fields', async () => {
    const form = await multipart([{ name: 'file', fileName: 'more.jsonl', content: '{"image_id":"img/9.jpg","labeled_at":"2024-03-04T00:00:00Z","status":"APPROVED"}\n' }]);
    const ing = await t.app.inject({ method: 'POST', url: '/api/v1/feature-groups/image-labels/records', ...form });
    expect(ing.json()).toMatchObject({ written: 1 });
    const ents = await multipart([{ name: 'features', value: 'status' }, { name: 'ttlSeconds', value: '3600' }, { name: 'file', fileName: 'e.csv', content: 'record_id,timestamp\nimg/9.jpg,2024-03-04T00:30:00Z\nimg/9.jpg,2024-03-04T02:00:00Z\n' }]);
    const pit = await t.app.inject({ method: 'POST', url: '/api/v1/feature-groups/image-labels/retrieve', ...ents });
    expect(pit.json().items.map((i: { values: unknown }) => i.values)).toEqual([{ status: 'APPROVED' }, null]);
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/feature-groups/{name}/retrieve', '/api/v1/feature-groups/{name}/records/{recordId}/history']));
  });

  it('refuses values nested deeper than the API allows and over-long record ids, storing nothing', async () => {
    const before = await count('feature_records');
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    const lines = `{"image_id":"ok.jpg","labeled_at":"2024-03-01"}\n{"image_id":"d.jpg","labeled_at":"2024-03-01","boxes":${deep}}\n`;
    const res = await api('POST', '/image-labels/records', lines, { 'content-type': 'application/x-ndjson' });
    expect(res.json()).toMatchObject({ code: 'FEATURE_RECORD_INVALID', problems: [{ row: 2, problem: expect.stringContaining('more than 256 levels') }] });
    const csv = await api('POST', '/image-labels/records', `image_id,labeled_at,boxes\nd.jpg,2024-03-01,"${deep}"\n`, { 'content-type': 'text/csv' });
    expect(csv.json()).toMatchObject({ code: 'FEATURE_RECORD_INVALID', problems: [{ row: 2, field: 'boxes' }] });
    const long = await api('POST', '/image-labels/records', { image_id: 'x'.repeat(1001), labeled_at: '2024-03-01' });
    expect(long.json()).toMatchObject({ code: 'FEATURE_RECORD_INVALID', problems: [{ row: 1, field: 'image_id', problem: expect.stringContaining('longer than 1000') }] });
    expect(await count('feature_records')).toBe(before);
  });

  it('adds features as a new schema version; retyping is refused', async () => {
    const v2 = await api('PUT', '/image-labels/schema', { features: [{ name: 'model_version', type: 'integer' }] });
    expect(v2.json()).toMatchObject({ schemaVersion: 2, schemas: [{ version: 1 }, { version: 2 }] });
    expect((await api('POST', '/image-labels/records', { image_id: 'img/8.jpg', labeled_at: 1709280000000, model_version: 3 })).json()).toMatchObject({ written: 1, schemaVersion: 2 });
    const retype = await api('PUT', '/image-labels/schema', { features: [{ name: 'score', type: 'string' }] });
    expect(retype.json()).toMatchObject({ code: 'FEATURE_GROUP_INVALID', problems: [{ field: 'features.0.type' }] });
  });

  it('ingests a dataset version through the features.ingest-dataset job', async () => {
    const up = await upload(t.app, 'labels.csv', 'image_id,labeled_at,status\nd/1.jpg,2024-04-01T00:00:00Z,APPROVED\nd/2.jpg,2024-04-01T00:00:00Z,PENDING\n', { name: 'labels' });
    expect(up.statusCode).toBeLessThan(300);
    const queued = await api('POST', '/image-labels/ingest-dataset', { dataset: 'labels' });
    expect(queued.statusCode).toBe(202);
    const job = await t.ctx.queue.wait(queued.json().job.id, { timeoutMs: 30_000 });
    expect(job).toMatchObject({ status: 'succeeded', result: { written: 2, dataset: 'labels', version: 1 } });
    expect((await api('GET', '/image-labels/records/d%2F2.jpg')).json().values.status).toBe('PENDING');
  }, 60_000);

  it('deletes a group with its records', async () => {
    expect((await api('DELETE', '/image-labels')).statusCode).toBe(204);
    expect(await count('feature_records')).toBe(0);
    expect((await api('GET', '/image-labels')).statusCode).toBe(404);
  });
});
