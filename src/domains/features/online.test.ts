/**
 * The online store on each backend (the metadata DB's table; Redis when SAGEBRUSH_TEST_REDIS_URL is set — skipped
 * without it, failing under CI): the latest value per key whatever the arrival order, nothing online from a batch
 * that was refused, Redis written only after the offline commit (an online write that fails leaves the records
 * stored and says `onlineStale`), and the rebuild from the offline history (after Redis lost its data), through the
 * route too. The Redis store is checked against the DB store on the same random history.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../datasets/testing/harness.ts';
import { databaseBackends, missingMessage, skipBackend, type TestDatabase } from '../../storage/testing.ts';
import { dbOnlineStore, redisOnlineStore, type OnlineStore } from './online.ts';
import { createFeatureService } from './service.ts';
import { LABELS_GROUP } from './testing/fixtures.ts';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const REDIS = process.env.SAGEBRUSH_TEST_REDIS_URL || undefined;
const prefix = `sbtest-${randomBytes(4).toString('hex')}`;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function sqlite(): Promise<TestDatabase> {
  const db = await databaseBackends()[0]!.open();
  closers.push(() => db.cleanup());
  return db;
}

async function dropKeys(): Promise<void> {
  const r = new Redis(REDIS!);
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
}

function redisStore(t: TestDatabase, url = REDIS!): OnlineStore {
  const store = redisOnlineStore(t.db, url, prefix);
  closers.push(async () => {
    await store.close();
    await dropKeys();
  });
  return store;
}

const backends = [
  { name: 'db', missing: undefined, make: (t: TestDatabase) => dbOnlineStore(t.db) },
  { name: 'redis', missing: REDIS ? undefined : missingMessage('SAGEBRUSH_TEST_REDIS_URL', 'Redis online store'), make: (t: TestDatabase) => redisStore(t) },
];

for (const b of backends) {
  describe.skipIf(skipBackend(b))(`feature online store (${b.name})`, () => {
    it('holds the latest per key by event time, ties to the later write, whatever the arrival order; a refused batch writes nothing', async () => {
      if (b.missing) throw new Error(b.missing);
      const t = await sqlite();
      const f = createFeatureService({ db: t.db, online: b.make(t) });
      await f.create(LABELS_GROUP);
      const rec = (id: string, h: number, status: string) => ({ image_id: id, labeled_at: T0 + h * H, status });
      expect(await f.ingest('image-labels', [rec('x', 5, 'APPROVED'), rec('x', 2, 'PENDING'), rec('y', 1, 'PENDING')])).toMatchObject({ written: 3, onlineUpdated: 2 });
      expect(await f.ingest('image-labels', [rec('x', 4, 'REJECTED')])).toMatchObject({ onlineUpdated: 0 });
      await f.ingest('image-labels', rec('x', 5, 'REJECTED'));
      expect((await f.online('image-labels', 'x')).values.status).toBe('REJECTED');
      expect(await f.online('image-labels', 'y')).toMatchObject({ recordId: 'y', eventTime: new Date(T0 + H).toISOString(), schemaVersion: 1, values: { status: 'PENDING' } });
      await expect(f.ingest('image-labels', [rec('z', 9, 'APPROVED'), { image_id: 'z2', status: 'APPROVED' }])).rejects.toMatchObject({ code: 'FEATURE_RECORD_INVALID' });
      await expect(f.online('image-labels', 'z')).rejects.toMatchObject({ code: 'FEATURE_RECORD_NOT_FOUND' });
    }, 60_000);

    it('rebuilds from the offline history: the same latest values as the table moved forward on every write', async () => {
      if (b.missing) throw new Error(b.missing);
      const t = await sqlite();
      const store = b.make(t);
      const f = createFeatureService({ db: t.db, online: store });
      await f.create(LABELS_GROUP);
      let x = 7;
      const rnd = (n: number) => ((x = (x * 48271) % 2147483647), x % n);
      const rows = Array.from({ length: 600 }, () => ({ image_id: `i${rnd(60)}`, labeled_at: T0 + rnd(20) * H, score: rnd(1000) }));
      for (let i = 0; i < rows.length; i += 150) await f.ingest('image-labels', rows.slice(i, i + 150));
      const ids = Array.from({ length: 60 }, (_, i) => `i${i}`);
      const before = await Promise.all(ids.map((id) => f.online('image-labels', id).catch(() => null)));
      // The reference, brute force: per id the row with the greatest event time, the later write on a tie.
      const expected = ids.map((id) => rows.reduce<(typeof rows)[number] | null>((best, r) => (r.image_id === id && (!best || r.labeled_at >= best.labeled_at) ? r : best), null)?.score ?? null);
      expect(before.map((r) => (r ? (r.values.score as number) : null))).toEqual(expected);
      const g = await f.get('image-labels');
      const table = expected.filter((v) => v !== null);
      if (store.kind === 'redis') await store.drop(g.id); // Redis lost its data
      else await t.db.deleteFrom('feature_online').execute();
      await expect(f.online('image-labels', 'i0')).rejects.toMatchObject({ code: 'FEATURE_RECORD_NOT_FOUND' });
      expect(await f.rebuildOnline('image-labels')).toEqual({ group: 'image-labels', store: b.name, records: table.length });
      expect(await Promise.all(ids.map((id) => f.online('image-labels', id).catch(() => null)))).toEqual(before);
    }, 60_000);
  });
}

describe.skipIf(skipBackend(backends[1]!))('the Redis online store is written after the offline commit', () => {
  it('Redis down: the records are stored (offline) and the answer says onlineStale; once rebuilt the values are there', async () => {
    if (!REDIS) throw new Error(backends[1]!.missing);
    const t = await sqlite();
    // Nothing listens on port 9 (discard): every Redis command fails.
    const down = createFeatureService({ db: t.db, online: redisStore(t, 'redis://127.0.0.1:9') });
    await down.create(LABELS_GROUP);
    expect(await down.ingest('image-labels', [{ image_id: 'a', labeled_at: T0, status: 'APPROVED' }])).toMatchObject({ written: 1, onlineUpdated: 0, onlineStale: true });
    expect((await down.history('image-labels', 'a')).items).toHaveLength(1);
    await expect(down.online('image-labels', 'a')).rejects.toMatchObject({ code: 'FEATURE_ONLINE_UNAVAILABLE', problems: [expect.objectContaining({ field: 'featuresOnlineUrl' })] });
    const up = createFeatureService({ db: t.db, online: redisStore(t) });
    await expect(up.online('image-labels', 'a')).rejects.toMatchObject({ code: 'FEATURE_RECORD_NOT_FOUND' });
    expect(await up.rebuildOnline('image-labels')).toMatchObject({ store: 'redis', records: 1 });
    expect((await up.online('image-labels', 'a')).values.status).toBe('APPROVED');
  }, 60_000);

  it('through the app: SAGEBRUSH_FEATURES_ONLINE_URL selects Redis; POST …/online/rebuild', async () => {
    if (!REDIS) throw new Error(backends[1]!.missing);
    const app = await createTestApp({ featuresOnlineUrl: REDIS, queuePrefix: prefix }, { worker: false });
    closers.push(async () => {
      await app.close();
      await dropKeys();
    });
    const inject = (method: 'GET' | 'POST', url: string, payload?: object) => app.app.inject({ method, url: `/api/v1${url}`, payload });
    expect((await inject('POST', '/feature-groups', LABELS_GROUP)).statusCode).toBe(201);
    expect((await inject('POST', '/feature-groups/image-labels/records', [{ image_id: 'a', labeled_at: T0, status: 'APPROVED' }])).json()).toMatchObject({ written: 1, onlineUpdated: 1 });
    const g = (await inject('GET', '/feature-groups/image-labels')).json<{ id: string }>();
    const r = new Redis(REDIS);
    expect(await r.hlen(`${prefix}:features:online:${g.id}`)).toBe(1); // in Redis, not in the table
    r.disconnect();
    expect(await app.ctx.db.selectFrom('feature_online').selectAll().execute()).toEqual([]);
    expect((await inject('POST', '/feature-groups/image-labels/online/rebuild')).json()).toEqual({ group: 'image-labels', store: 'redis', records: 1 });
    expect((await inject('GET', '/feature-groups/image-labels/records/a')).json()).toMatchObject({ values: { status: 'APPROVED' } });
  }, 60_000);
});
