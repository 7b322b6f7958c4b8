/**
 * Nothing stored half-way (issue 14): a registry change and the event reporting it share one transaction, so when
 * the event cannot be recorded the change is not stored either; and a new version's created-event is written with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../storage/db.ts';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import type { Database } from '../../storage/schema.ts';
import { createModelRegistry, type RegistryEventSink } from './registry.ts';
import { createModelService } from './service.ts';

let dir: string;
let db: Kysely<Database>;
let failing = false;
let probes = 0;
const recorded: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
});
afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('registry writes with their events', () => {
  it('stores neither the change nor the event when recording the event fails', async () => {
    const events: RegistryEventSink = {
      async record(trx, event) {
        // Written on the transaction first, then the sink fails: the row must not survive.
        await trx.insertInto('model_tags').values({ model_id: (await trx.selectFrom('models').select('id').executeTakeFirstOrThrow()).id, key: `probe-${event}-${++probes}`, value: 'x', updated_at: '' }).execute();
        if (failing) throw new Error('outbox unavailable');
        recorded.push(event);
      },
      committed: () => undefined,
    };
    const models = createModelService({ db, artifacts: new FsArtifactStore(join(dir, 'artifacts')) });
    const registry = createModelRegistry({ db, models, events });
    const m = await models.create({ name: 'churn', kind: 'text-classifier', params: {} });
    expect(recorded).toEqual(['model_version.created']);
    await models.markReady(m.id, { metrics: {}, artifacts: {} });

    failing = true;
    await expect(registry.setApproval('churn:1', { status: 'Approved' }, 'alice')).rejects.toThrow('outbox unavailable');
    await expect(registry.setAlias('churn', 'champion', 1, 'alice')).rejects.toThrow('outbox unavailable');
    await expect(models.create({ name: 'churn', kind: 'text-classifier', params: {} })).rejects.toThrow('outbox unavailable');
    expect((await registry.approval('churn:1')).approval.status).toBe('PendingManualApproval');
    expect(await db.selectFrom('model_approval_history').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('model_aliases').selectAll().execute()).toEqual([]);
    expect((await db.selectFrom('models').select('version').execute()).map((r) => r.version)).toEqual([1]);
    expect(Object.keys(await registry.tags('churn:1'))).toEqual(['probe-model_version.created-1']);

    failing = false;
    expect((await registry.setApproval('churn:1', { status: 'Approved' }, 'alice')).approval).toMatchObject({ status: 'Approved', updatedBy: 'alice' });
    expect(recorded).toEqual(['model_version.created', 'model_version.approval_changed']);
  });
});
