import { describe, expect, it } from 'vitest';
import { databaseBackends, describeEachBackend } from '../../storage/testing.ts';
import { createAsOfJoin } from './pit.ts';
import { createFeatureService } from './service.ts';
import { LABELS_GROUP } from './testing/fixtures.ts';

/**
 * The same data as src/domains/features/__reference__/pit_reference.py; REFERENCE is that script's output, computed
 * independently with pandas.merge_asof (Debian python3-pandas 1.5.3): `/usr/bin/python3
 * src/domains/features/__reference__/pit_reference.py`. Rows are written in the script's write order (seq).
 */
const FEATURE_ROWS: [string, string, number, number, string][] = [
  ['img-1', '2024-01-01T10:00:00Z', 1, 0.1, 'PENDING'],
  ['img-1', '2024-01-01T12:00:00Z', 2, 0.2, 'APPROVED'],
  ['img-2', '2024-01-01T09:00:00Z', 3, 0.3, 'PENDING'],
  ['img-1', '2024-01-01T11:00:00Z', 4, 0.15, 'REJECTED'],
  ['img-2', '2024-01-01T12:00:00Z', 5, 0.4, 'APPROVED'],
  ['img-2', '2024-01-01T12:00:00Z', 6, 0.45, 'REJECTED'],
  ['img-3', '2024-01-02T00:00:00Z', 7, 0.9, 'APPROVED'],
  ['img-1', '2024-01-01T15:00:00Z', 8, 0.25, 'APPROVED'],
];
const ENTITIES: [string, string][] = [
  ['img-1', '2024-01-01T12:00:00Z'], ['img-2', '2024-01-01T08:59:59Z'], ['img-1', '2024-01-01T10:30:00Z'], ['img-2', '2024-01-01T12:00:00Z'],
  ['img-9', '2024-01-05T00:00:00Z'], ['img-1', '2024-01-01T11:59:59Z'], ['img-3', '2024-01-03T00:00:00Z'], ['img-1', '2024-01-01T09:00:00Z'],
  ['img-2', '2024-01-01T13:59:00Z'], ['img-1', '2024-01-02T00:00:00Z'], ['img-1', '2024-01-01T12:00:00Z'],
];
type Ref = [string, string | null, number | null, string | null][];
const REFERENCE: { asOf: Ref; ttl2h: Ref } = {"asOf": [["img-1", "2024-01-01T12:00:00.000Z", 0.2, "APPROVED"], ["img-2", null, null, null], ["img-1", "2024-01-01T10:00:00.000Z", 0.1, "PENDING"], ["img-2", "2024-01-01T12:00:00.000Z", 0.45, "REJECTED"], ["img-9", null, null, null], ["img-1", "2024-01-01T11:00:00.000Z", 0.15, "REJECTED"], ["img-3", "2024-01-02T00:00:00.000Z", 0.9, "APPROVED"], ["img-1", null, null, null], ["img-2", "2024-01-01T12:00:00.000Z", 0.45, "REJECTED"], ["img-1", "2024-01-01T15:00:00.000Z", 0.25, "APPROVED"], ["img-1", "2024-01-01T12:00:00.000Z", 0.2, "APPROVED"]], "ttl2h": [["img-1", "2024-01-01T12:00:00.000Z", 0.2, "APPROVED"], ["img-2", null, null, null], ["img-1", "2024-01-01T10:00:00.000Z", 0.1, "PENDING"], ["img-2", "2024-01-01T12:00:00.000Z", 0.45, "REJECTED"], ["img-9", null, null, null], ["img-1", "2024-01-01T11:00:00.000Z", 0.15, "REJECTED"], ["img-3", null, null, null], ["img-1", null, null, null], ["img-2", "2024-01-01T12:00:00.000Z", 0.45, "REJECTED"], ["img-1", null, null, null], ["img-1", "2024-01-01T12:00:00.000Z", 0.2, "APPROVED"]]}; // prettier-ignore

const asRef = (items: { recordId: string; eventTime: string | null; values: Record<string, unknown> | null }[]): Ref =>
  items.map((r) => [r.recordId, r.eventTime, (r.values?.score as number | undefined) ?? null, (r.values?.status as string | undefined) ?? null]);

describeEachBackend(databaseBackends(), (name) => `point-in-time retrieval against pandas merge_asof (${name})`, (open) => {
  it('matches the reference: exact matches, ties by write order, entities before any row, unknown ids, input order kept; with a max age; from CSV', async () => {
    const features = createFeatureService({ db: (await open()).db });
    await features.create(LABELS_GROUP);
    // One write per row in the script's order, so the write sequence (tie-breaker) matches its seq column.
    for (const [id, t, , score, status] of FEATURE_ROWS) await features.ingest('image-labels', { image_id: id, labeled_at: t, score, status });
    const entities = ENTITIES.map(([recordId, timestamp]) => ({ recordId, timestamp }));
    const res = await features.retrieve('image-labels', entities);
    expect(asRef(res.items)).toEqual(REFERENCE.asOf);
    expect(res).toMatchObject({ rows: 11, matched: 8 });
    // pandas tolerance = ttlSeconds
    expect(asRef((await features.retrieve('image-labels', entities, { ttlSeconds: 7200 })).items)).toEqual(REFERENCE.ttl2h);
    const csv = 'record_id,timestamp\n' + ENTITIES.map(([id, t]) => `${id},${t}`).join('\n');
    const fromCsv = await features.retrieve('image-labels', csv, { features: ['status'] });
    expect(fromCsv.items.map((r) => r.values)).toEqual(REFERENCE.asOf.map((r) => (r[3] === null ? null : { status: r[3] })));
  }, 60_000);
});

describe('the as-of join', () => {
  it('the join alone: rows pushed per id in time order, ids interleaved, never a later row', () => {
    const times = Float64Array.from([5, 1, 10, 3, 3]);
    const join = createAsOfJoin<string>(['a', 'a', 'a', 'b', 'c'], times);
    join.push('b', 1, 'b1');
    join.push('a', 2, 'a2');
    join.push('b', 4, 'b4');
    join.push('a', 5, 'a5');
    join.push('a', 5, 'a5-later-write');
    join.push('a', 11, 'a11');
    expect(join.finish().map((c) => c?.payload)).toEqual(['a5-later-write', undefined, 'a5-later-write', 'b1', undefined]);
    expect(join.maxTime).toBe(10);
  });
});
