/**
 * Start-up recovery of model versions left `training` (issue 12, item 5): failed with a reason when their job is
 * over or gone, or when they have no job and the process registering them is dead; kept while their job is queued
 * or running, or their registering process lives. The process stamp never reaches API clients.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.ts';
import { SELF_OWNER } from '../../jobs/owner.ts';
import { openDatabase } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import type { Kysely } from 'kysely';
import { createModelService, type ModelService } from './service.ts';

let dir: string;
let db: Kysely<Database>;
let models: ModelService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-models-'));
  db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  models = createModelService({ db, artifacts: new FsArtifactStore(join(dir, 'artifacts')) });
});
afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function job(status: string, error?: { code: string; message: string }): Promise<string> {
  const id = newId('job');
  const at = new Date().toISOString();
  await db.insertInto('jobs').values({ id, type: 'images.train', status, payload_json: '{}', result_json: null, error_json: error ? JSON.stringify(error) : null, progress: 0, message: '', attempts: 1, idempotent: 0, cancel_requested: 0, created_at: at, started_at: at, finished_at: null, updated_at: at }).execute();
  return id;
}

describe('failOrphans', () => {
  it('fails training versions whose job ended or is gone, or whose registering process died; keeps the rest', async () => {
    const interrupted = await models.create({ name: 'a', kind: 'k', jobId: await job('failed', { code: 'INTERRUPTED', message: 'the process running this job stopped' }), params: {} });
    const missing = await models.create({ name: 'b', kind: 'k', jobId: 'job_gone', params: {} });
    const running = await models.create({ name: 'c', kind: 'k', jobId: await job('running'), params: {} });
    const queued = await models.create({ name: 'd', kind: 'k', params: {} });
    await models.update(queued.id, { meta: { jobId: await job('queued') } }); // images: the job id lands in meta
    const live = await models.create({ name: 'e', kind: 'k', params: {} });
    const dead = await models.create({ name: 'f', kind: 'k', params: {} });
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    await db.updateTable('models').set({ meta_json: JSON.stringify({ registeredBy: { ...SELF_OWNER, pid: deadPid } }) }).where('id', '=', dead.id).execute();
    expect(live.meta).toEqual({}); // the stamp is not shown

    const failed = await models.failOrphans();
    expect(failed.map((m) => m.name).sort()).toEqual(['a', 'b', 'f']);
    expect(await models.getById(interrupted.id)).toMatchObject({ status: 'failed', meta: { failure: { code: 'INTERRUPTED', message: expect.stringMatching(/failed \(INTERRUPTED: .*train it again/) } } });
    expect((await models.getById(missing.id)).meta.failure).toMatchObject({ message: expect.stringMatching(/no longer exists/) });
    expect((await models.getById(dead.id)).meta.failure).toMatchObject({ message: expect.stringMatching(/process registering it stopped/) });
    for (const m of [running, queued, live]) expect((await models.getById(m.id)).status).toBe('training');
    expect(await models.failOrphans()).toEqual([]);
  });

  it('marks a version cancelled, not failed, when its job was cancelled by a user', async () => {
    const v = await models.create({ name: 'g', kind: 'k', jobId: await job('cancelled', { code: 'CANCELLED', message: 'cancelled by a user' }), params: {} });
    expect((await models.failOrphans()).map((m) => m.name)).toEqual(['g']);
    expect(await models.getById(v.id)).toMatchObject({ status: 'cancelled', meta: { failure: { message: expect.stringMatching(/cancelled/) } } });
  });
});
