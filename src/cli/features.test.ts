/** `sagebrush features` as a user runs it: a real process on a temp embedded store. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS_GROUP } from '../domains/features/testing/fixtures.ts';
import { createCliSandbox } from './testing.ts';

const { dir, cli, cleanup } = createCliSandbox('features');
afterAll(cleanup);

describe('sagebrush features', () => {
  it('creates a group, ingests CSV, refuses a row without event time, reads online/history, retrieves as of, latest approved', async () => {
    const def = join(dir, 'group.json');
    writeFileSync(def, JSON.stringify(LABELS_GROUP));
    const created = await cli(['features', 'create', def]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created image-labels');

    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'image_id,labeled_at,status,labeler\na.jpg,2024-05-01T10:00:00Z,PENDING,ann\na.jpg,2024-05-01T12:00:00Z,APPROVED,ann\nb.jpg,2024-05-01T11:00:00Z,REJECTED,bob\n');
    const ingest = await cli(['--json', 'features', 'ingest', 'image-labels', csv]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ written: 3, onlineUpdated: 2 });

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'image_id,labeled_at,status\nc.jpg,,APPROVED\n');
    const refused = await cli(['features', 'ingest', 'image-labels', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FEATURE_RECORD_INVALID');
    expect(refused.stderr).toContain('labeled_at');

    const get = await cli(['--json', 'features', 'get', 'image-labels', 'a.jpg']);
    expect(JSON.parse(get.stdout)).toMatchObject({ eventTime: '2024-05-01T12:00:00.000Z', values: { status: 'APPROVED' } });
    expect(JSON.parse((await cli(['--json', 'features', 'history', 'image-labels', 'a.jpg'])).stdout).items).toHaveLength(2);

    const entities = join(dir, 'entities.csv');
    writeFileSync(entities, 'record_id,timestamp\na.jpg,2024-05-01T11:00:00Z\nb.jpg,2024-05-01T10:00:00Z\n');
    const pit = await cli(['--json', 'features', 'retrieve', 'image-labels', entities, '--features', 'status']);
    expect(pit.code, pit.stderr).toBe(0);
    expect(JSON.parse(pit.stdout)).toMatchObject({ matched: 1, items: [{ values: { status: 'PENDING' } }, { values: null }] });

    const latest = await cli(['--json', 'features', 'latest', 'image-labels', '--where', 'status=APPROVED']);
    expect(JSON.parse(latest.stdout).items.map((r: { recordId: string }) => r.recordId)).toEqual(['a.jpg']);
    expect((await cli(['features', 'list'])).stdout).toContain('image-labels');
  }, 120_000);
});
