/** The store on every database backend: online vs offline, all-or-nothing batches, the paged scan, latest per id. */
import { afterEach, expect, it } from 'vitest';
import { databaseBackends, describeEachBackend } from '../../storage/testing.ts';
import { createFeatureService } from './service.ts';
import { scanTuning } from './store.ts';
import { LABELS_GROUP } from './testing/fixtures.ts';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const tuning = { ...scanTuning };
afterEach(() => Object.assign(scanTuning, tuning));

describeEachBackend(databaseBackends(), (name) => `feature store (${name})`, (open) => {
  it('online is the latest by event time whatever the arrival order; ties go to the later write; history keeps all', async () => {
    const f = createFeatureService({ db: (await open()).db });
    await f.create(LABELS_GROUP);
    const rec = (h: number, status: string) => ({ image_id: 'x.jpg', labeled_at: T0 + h * H, status });
    // within one batch out of order, then an older batch, then a tie
    expect(await f.ingest('image-labels', [rec(5, 'APPROVED'), rec(2, 'PENDING'), rec(3, 'REJECTED')])).toMatchObject({ written: 3, onlineUpdated: 1 });
    expect((await f.online('image-labels', 'x.jpg')).values.status).toBe('APPROVED');
    expect(await f.ingest('image-labels', [rec(1, 'PENDING'), rec(4, 'REJECTED')])).toMatchObject({ onlineUpdated: 0 });
    expect((await f.online('image-labels', 'x.jpg')).eventTime).toBe(new Date(T0 + 5 * H).toISOString());
    await f.ingest('image-labels', rec(5, 'REJECTED'));
    expect((await f.online('image-labels', 'x.jpg')).values.status).toBe('REJECTED');
    const h = await f.history('image-labels', 'x.jpg');
    expect(h.items.map((r) => [Date.parse(r.eventTime) - T0, r.values.status])).toEqual([[1 * H, 'PENDING'], [2 * H, 'PENDING'], [3 * H, 'REJECTED'], [4 * H, 'REJECTED'], [5 * H, 'APPROVED'], [5 * H, 'REJECTED']]);
  }, 60_000);

  it('a batch with one bad record stores nothing, offline or online', async () => {
    const t = await open();
    const f = createFeatureService({ db: t.db });
    await f.create(LABELS_GROUP);
    const good = Array.from({ length: 50 }, (_, i) => ({ image_id: `i${i}`, labeled_at: T0 + i, status: 'APPROVED' }));
    const err = await f.ingest('image-labels', [...good, { image_id: 'i50', status: 'APPROVED' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FEATURE_RECORD_INVALID', problems: [{ row: 51, field: 'labeled_at', problem: 'the event time is missing' }] });
    const n = async (table: 'feature_records' | 'feature_online') => Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect([await n('feature_records'), await n('feature_online')]).toEqual([0, 0]);
    await expect(f.online('image-labels', 'i0')).rejects.toMatchObject({ code: 'FEATURE_RECORD_NOT_FOUND' });
  }, 60_000);

  it('retrieval equals a brute-force as-of join: full scan over many pages, and the IN-list seek', async () => {
    const f = createFeatureService({ db: (await open()).db });
    await f.create(LABELS_GROUP);
    let x = 1;
    const rnd = (n: number) => ((x = (x * 48271) % 2147483647), x % n);
    const rows = Array.from({ length: 600 }, () => ({ image_id: `img-${rnd(40)}`, labeled_at: T0 + rnd(50) * H, score: rnd(1000) }));
    for (let i = 0; i < rows.length; i += 200) await f.ingest('image-labels', rows.slice(i, i + 200));
    const entities = Array.from({ length: 300 }, () => ({ recordId: `img-${rnd(45)}`, timestamp: T0 + rnd(55) * H - rnd(2) }));
    const expected = entities.map((e) => {
      let best: { t: number; seq: number; score: number } | undefined;
      rows.forEach((r, seq) => {
        if (r.image_id === e.recordId && r.labeled_at <= e.timestamp && (!best || r.labeled_at > best.t || (r.labeled_at === best.t && seq > best.seq))) best = { t: r.labeled_at, seq, score: r.score };
      });
      return best?.score ?? null;
    });
    Object.assign(scanTuning, { pageSize: 7, seekIds: 3 });
    const full = await f.retrieve('image-labels', entities);
    expect(full.items.map((r) => (r.values?.score as number | undefined) ?? null)).toEqual(expected);
    Object.assign(scanTuning, { pageSize: 7, seekIds: 1000 });
    const seek = await f.retrieve('image-labels', entities);
    expect(seek.items).toEqual(full.items);
  }, 60_000);

  it('latest row per id of the rows matching a filter, as of a time, paged by record id', async () => {
    const f = createFeatureService({ db: (await open()).db });
    await f.create(LABELS_GROUP);
    await f.ingest('image-labels', [
      { image_id: 'a', labeled_at: T0 + 1 * H, status: 'APPROVED', labeler: 'ann' },
      { image_id: 'a', labeled_at: T0 + 3 * H, status: 'REJECTED', labeler: 'bob' },
      { image_id: 'b', labeled_at: T0 + 2 * H, status: 'APPROVED', labeler: 'cy' },
      { image_id: 'b', labeled_at: T0 + 4 * H, status: 'APPROVED', labeler: 'dee' },
      { image_id: 'c', labeled_at: T0 + 1 * H, status: 'PENDING' },
    ]);
    const approved = await f.latest('image-labels', { where: { status: 'APPROVED' } });
    expect(approved.items.map((r) => [r.recordId, r.values.labeler])).toEqual([['a', 'ann'], ['b', 'dee']]);
    const asOf = await f.latest('image-labels', { where: { status: 'APPROVED' }, asOf: new Date(T0 + 3 * H).toISOString() });
    expect(asOf.items.map((r) => [r.recordId, r.values.labeler])).toEqual([['a', 'ann'], ['b', 'cy']]);
    const page1 = await f.latest('image-labels', { limit: 2 });
    expect(page1.items.map((r) => [r.recordId, r.values.status])).toEqual([['a', 'REJECTED'], ['b', 'APPROVED']]);
    const page2 = await f.latest('image-labels', { limit: 2, cursor: page1.nextCursor! });
    expect(page2).toMatchObject({ items: [{ recordId: 'c' }], nextCursor: null });
    await expect(f.latest('image-labels', { where: { nope: 1 } })).rejects.toMatchObject({ code: 'FEATURE_ENTITIES_INVALID' });
  }, 60_000);
});
