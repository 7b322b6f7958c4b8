/** Happy paths of /api/v1/datasets through the real app in-process, on real data where available. */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, HAS_SHARED_DATA, NO_DATA_MESSAGE, SHARED_DATA, snapshot, upload, type TestApp } from './testing/harness.ts';
import { makeZip } from './testing/zip-writer.ts';
import { SELF_OWNER } from '../../jobs/owner.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1${url}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

if (!HAS_SHARED_DATA) console.warn(NO_DATA_MESSAGE);

describe.skipIf(!HAS_SHARED_DATA)('real data (../shared/data)', () => {
  const jigsawPath = join(SHARED_DATA, 'jigsaw-toxic-subset/train_subset.csv');
  const jigsaw = HAS_SHARED_DATA ? readFileSync(jigsawPath) : Buffer.alloc(0);
  const records: string[][] = HAS_SHARED_DATA ? parseCsv(jigsaw) : [];

  it('imports the Jigsaw CSV (quoted newlines), profiles it and previews exact rows', async () => {
    const res = await upload(t.app, 'train_subset.csv', jigsaw, { name: 'jigsaw', description: 'Jigsaw toxic comments, first 300 rows' });
    expect(res.statusCode, res.body).toBe(201);
    const { dataset, version } = res.json();
    expect(dataset).toMatchObject({ name: 'jigsaw', kind: 'text', latestVersion: 1, description: 'Jigsaw toxic comments, first 300 rows' });
    expect(version).toMatchObject({ version: 1, format: 'csv', status: 'ready', rowCount: records.length - 1, sizeBytes: jigsaw.length });
    expect(version.sha256).toBe(createHash('sha256').update(jigsaw).digest('hex'));
    expect(version.schema).toMatchObject({ delimiter: ',', header: true });
    expect(version.schema.columns.map((c: { name: string }) => c.name)).toEqual(records[0]);
    const cols = Object.fromEntries(version.stats.columns.map((c: { name: string }) => [c.name, c]));
    expect(cols.id.role).toBe('id');
    expect(cols.comment_text.role).toBe('text');
    expect(cols.comment_text.length.max).toBe(Math.max(...records.slice(1).map((r) => r[1].length)));
    expect(cols.comment_text.length.histogram.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(300);
    const toxic = records.slice(1).filter((r) => r[2] === '1').length;
    expect(cols.toxic).toMatchObject({ role: 'label', labels: expect.arrayContaining([{ label: '1', count: toxic }, { label: '0', count: 300 - toxic }]) });

    const preview = await get('/datasets/jigsaw/versions/1/preview?offset=0&limit=3');
    expect(preview).toMatchObject({ columns: records[0], offset: 0, total: 300 });
    expect(preview.rows).toEqual(records.slice(1, 4));
    expect(preview.rows[0][1]).toContain('\n');
    const page = await get('/datasets/jigsaw/versions/latest/preview?offset=297&limit=50');
    expect(page.rows).toEqual(records.slice(298));

    const file = await t.app.inject({ method: 'GET', url: '/api/v1/datasets/jigsaw/versions/1/file' });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toContain('train_subset.csv');
    expect(file.rawPayload.equals(jigsaw)).toBe(true);
  });

  it('imports the same rows as JSON Lines and as TSV', async () => {
    const header = records[0];
    const jsonl = records.slice(1).map((r) => JSON.stringify(Object.fromEntries(header.map((h, i) => [h, i >= 2 ? Number(r[i]) : r[i]])))).join('\n');
    const a = await upload(t.app, 'jigsaw.jsonl', jsonl);
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().version).toMatchObject({ format: 'jsonl', rowCount: 300 });
    const rows = (await get(`/datasets/${a.json().dataset.id}/versions/1/preview?limit=2`)).rows;
    expect(rows).toEqual(records.slice(1, 3));

    const tsv = records.map((r) => r.map((c) => c.replace(/[\t\n\r"]/g, ' ')).join('\t')).join('\n');
    const b = await upload(t.app, 'jigsaw.tsv', tsv);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json().version).toMatchObject({ format: 'tsv', rowCount: 300, schema: { delimiter: '\t', header: true } });
  });

  it('imports a zip of image folders (HAM10000), label = folder, and lists it', async () => {
    const labels = ['akiec', 'df', 'vasc'];
    const entries = labels.flatMap((label) =>
      readdirSync(join(SHARED_DATA, 'ham10000-sample', label)).sort().slice(0, 2).map((f) => ({ name: `ham/${label}/${f}`, data: readFileSync(join(SHARED_DATA, 'ham10000-sample', label, f)) })),
    );
    const zip = makeZip([{ name: 'ham/', directory: true }, ...entries, { name: '__MACOSX/ham/._x.jpg', data: 'junk' }, { name: 'ham/.DS_Store', data: 'junk' }]);
    const res = await upload(t.app, 'ham10000.zip', zip, { name: 'ham' });
    expect(res.statusCode, res.body).toBe(201);
    const { version } = res.json();
    expect(version).toMatchObject({ format: 'image-folder', rowCount: 6, schema: { root: 'ham/', labels } });
    expect(version.stats).toMatchObject({ kind: 'images', imageCount: 6, labelCount: 3, ignoredFiles: 2, unlabeled: 0, extensions: { jpg: 6 } });
    expect(version.stats.labels).toEqual(labels.map((label) => ({ label, count: 2 })));
    expect(version.problems.some((p: { problem: string }) => /only 2 images/.test(p.problem))).toBe(true);
    const preview = await get('/datasets/ham/versions/1/preview?offset=1&limit=2');
    expect(preview.columns).toEqual(['path', 'label', 'bytes']);
    expect(preview.rows).toEqual(entries.slice(1, 3).map((e) => [e.name, e.name.split('/')[1], String(e.data.length)]));
    const file = await t.app.inject({ method: 'GET', url: '/api/v1/datasets/ham/versions/1/file' });
    expect(file.headers['content-type']).toBe('application/zip');
    expect(file.rawPayload.equals(zip)).toBe(true);
  });
});

describe('datasets API', () => {
  it('reads Comprehend-style files: no header detected, multi-label counts', async () => {
    const res = await upload(t.app, 'comprehend.csv', 'SPAM|ADS,"Buy now, cheap!"\nHAM,see you at 5\nSPAM,win a prize today\nHAM|WORK,meeting moved\n');
    expect(res.statusCode, res.body).toBe(201);
    const { version } = res.json();
    expect(version.schema).toMatchObject({ header: false, columns: [{ name: 'column_1', role: 'label' }, { name: 'column_2' }] });
    expect(version.rowCount).toBe(4);
    const label = version.stats.columns[0];
    expect(label.multiLabels).toEqual([
      { label: 'HAM', count: 2 },
      { label: 'SPAM', count: 2 },
      { label: 'ADS', count: 1 },
      { label: 'WORK', count: 1 },
    ]);
  });

  it('honours header=false and format=csv for an unknown extension', async () => {
    const res = await upload(t.app, 'data.txt', 'label,text\na,b\n', { header: 'false', format: 'csv', name: 'forced' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().version).toMatchObject({ rowCount: 2, schema: { header: false } });
  });

  it('adds versions under one name; get/list/latest/delete', async () => {
    const before = await snapshot(t);
    const v1 = await upload(t.app, 'reviews.csv', 'text,label\ngood,pos\nbad,neg\n');
    const v2 = await upload(t.app, 'reviews-2.csv', 'text,label\ngood,pos\nbad,neg\nfine,pos\n', { name: 'reviews', description: 'second cut' });
    expect([v1.statusCode, v2.statusCode]).toEqual([201, 201]);
    const ds = await get('/datasets/reviews');
    expect(ds).toMatchObject({ name: 'reviews', latestVersion: 2, description: 'second cut' });
    expect(ds.versions.map((v: { version: number; rowCount: number }) => [v.version, v.rowCount])).toEqual([[1, 2], [2, 3]]);
    expect((await get(`/datasets/${ds.id}/versions/latest`)).version).toBe(2);
    expect((await get('/datasets/reviews/versions/1')).fileName).toBe('reviews.csv');

    const all = await get('/datasets?limit=200');
    expect(all.items.map((d: { name: string }) => d.name)).toContain('reviews');
    const first = await get('/datasets?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await get(`/datasets?limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0].id < first.items[0].id).toBe(true);

    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/datasets/reviews' });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/datasets/reviews' })).statusCode).toBe(404);
    expect(await snapshot(t)).toEqual(before);
  });

  it('answers 202 with a job, which the jobs API shows finishing', async () => {
    const res = await upload(t.app, 'async.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n', {}, '');
    expect(res.statusCode, res.body).toBe(202);
    const { dataset, version, job } = res.json();
    expect(version.status).toBe('importing');
    expect(job.type).toBe('datasets.import');
    await t.ctx.services.datasets.waitForImport(job.id);
    expect((await get(`/jobs/${job.id}`)).status).toBe('succeeded');
    expect((await get(`/datasets/${dataset.id}/versions/1`)).status).toBe('ready');
  });

  it('serves an OpenAPI document that includes the datasets routes', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/api/v1/datasets', '/api/v1/datasets/{idOrName}/versions/{n}/preview']));
  });
});

describe('without a worker', () => {
  it('a version is not ready before its import; cancelling the job discards it', async () => {
    const w = await createTestApp({}, { worker: false });
    try {
      const before = await snapshot(w);
      const res = await upload(w.app, 'pending.csv', 'a,b\n1,2\n', {}, '');
      expect(res.statusCode).toBe(202);
      const { job } = res.json();
      const preview = await w.app.inject({ method: 'GET', url: '/api/v1/datasets/pending/versions/1/preview' });
      expect(preview.statusCode).toBe(409);
      expect(preview.json().code).toBe('DATASET_NOT_READY');
      await w.ctx.queue.cancel(job.id);
      expect((await w.app.inject({ method: 'GET', url: '/api/v1/datasets/pending' })).statusCode).toBe(404);
      expect(await snapshot(w)).toEqual(before);

      // recover(): an upload left `uploading` by a crashed process, and an import cancelled while queued.
      const crashed = (await upload(w.app, 'crashed.csv', 'a,b\n1,2\n', {}, '')).json();
      await w.ctx.db.updateTable('dataset_versions').set({ status: 'uploading', created_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', crashed.version.id).execute();
      const queued = (await upload(w.app, 'queued.csv', 'a,b\n1,2\n', {}, '')).json();
      await w.ctx.queue.cancel(queued.job.id);
      expect(await w.ctx.services.datasets.recover()).toEqual({ uploads: 1, imports: 1, tempFiles: 0 });
      expect(await snapshot(w)).toEqual(before);
    } finally {
      await w.close();
    }
  });

  it('an upload whose process died (same host) is dropped at once with its temp file, on read and by recover()', async () => {
    const w = await createTestApp({}, { worker: false });
    try {
      const before = await snapshot(w);
      const deadOwner = { ...SELF_OWNER, pid: Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout) };
      const at = new Date().toISOString();
      const version = async (id: string, name: string, status: string, owner: unknown) => {
        await w.ctx.db.insertInto('datasets').values({ id: `ds_${id}`, name, description: '', kind: 'unknown', latest_version: 0, created_at: at, updated_at: at }).execute();
        await w.ctx.db.insertInto('dataset_versions').values({
          id: `dsv_${id}`, dataset_id: `ds_${id}`, version: 1, format: 'auto', file_name: 'f.csv', artifact_key: `datasets/ds_${id}/v1/f.csv`, size_bytes: 0, sha256: '', row_count: 0,
          status, schema_json: '{}', stats_json: '{}', problems_json: '[]', meta_json: JSON.stringify({ uploadOwner: owner }), created_at: at,
        }).execute();
      };
      // uploading, mid-stream: a row and a temp file, as a kill -9 leaves them
      await version('mid', 'midway', 'uploading', deadOwner);
      const temp = join(w.dir, 'artifacts', 'datasets', 'ds_mid', 'v1', '.sb-tmp-f.csv.0123456789ab');
      mkdirSync(dirname(temp), { recursive: true });
      writeFileSync(temp, 'a,b\n1,');
      // importing, but the process died before it enqueued the import (no job id)
      await version('noq', 'nojob', 'importing', deadOwner);
      // a live upload of this very process is kept, its owner stamp hidden from the API
      await version('live', 'live', 'uploading', SELF_OWNER);

      expect((await w.app.inject({ url: '/api/v1/datasets/nojob' })).statusCode).toBe(404); // dropped on read
      expect(await w.ctx.services.datasets.recover()).toEqual({ uploads: 1, imports: 0, tempFiles: 1 });
      expect(existsSync(temp)).toBe(false);
      expect((await w.app.inject({ url: '/api/v1/datasets/midway' })).statusCode).toBe(404);
      expect((await w.app.inject({ url: '/api/v1/datasets/live' })).json().versions[0]).toMatchObject({ status: 'uploading', meta: {} });
      await w.ctx.db.deleteFrom('dataset_versions').where('id', '=', 'dsv_live').execute();
      await w.ctx.db.deleteFrom('datasets').where('id', '=', 'ds_live').execute();
      expect(await snapshot(w)).toEqual(before);
    } finally {
      await w.close();
    }
  });
});

describe('dataset names that look like ids', () => {
  it("refuses a name equal to another dataset's id (lookups are by id or name), naming the field and the fix", async () => {
    const first = await upload(t.app, 'first.csv', 'text,label\nhello,greeting\nbye,farewell\n', { name: 'id-shape-first' });
    expect(first.statusCode, first.body).toBe(201);
    const id = first.json().dataset.id as string;
    const res = await upload(t.app, 'second.csv', 'text,label\nhi,greeting\nciao,farewell\n', { name: id });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'name', fix: expect.stringContaining('ds_') }] });
    // The id still names the first dataset, with its one version.
    expect(await get(`/datasets/${id}`)).toMatchObject({ name: 'id-shape-first', latestVersion: 1 });
  });
});
