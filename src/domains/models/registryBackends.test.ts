/**
 * Governance writes under real concurrency, on SQLite and (with SAGEBRUSH_TEST_DATABASE_URL) PostgreSQL, where a pool
 * runs transactions side by side: many concurrent alias moves leave one holder and report each move once with the
 * holder it replaced; many concurrent identical approvals record one change and one event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import { databaseBackends, describeEachBackend } from '../../storage/testing.ts';
import { createModelRegistry, type RegistryEventSink } from './registry.ts';
import { createModelService } from './service.ts';

describeEachBackend(databaseBackends(), (name) => `registry concurrency (${name})`, (open) => {
  it('concurrent alias moves: one holder, each move reported once against the holder it replaced', async () => {
    const { db } = await open();
    const dir = mkdtempSync(join(tmpdir(), 'sb-regc-'));
    try {
      const events: Array<{ event: string; data: Record<string, unknown> }> = [];
      const sink: RegistryEventSink = { record: async (_trx, event, data) => void events.push({ event, data }), committed: () => undefined };
      const models = createModelService({ db, artifacts: new FsArtifactStore(dir) });
      const registry = createModelRegistry({ db, models, events: sink });
      for (let i = 0; i < 5; i++) await models.markReady((await models.create({ name: 'fraud', kind: 'text-classifier', params: {} })).id, { metrics: {}, artifacts: {} });

      const moves = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5];
      await Promise.all(moves.map((v) => registry.setAlias('fraud', 'champion', v, `u${v}`)));
      const rows = await db.selectFrom('model_aliases').selectAll().where('model_name', '=', 'fraud').execute();
      expect(rows).toHaveLength(1);
      const holder = (await models.getById(rows[0]!.model_id)).version;
      // The reported moves chain: each one's previousVersion is the version the one before it set.
      const chain = events.filter((e) => e.event === 'model_alias.changed').map((e) => e.data as { version: number; previousVersion: number | null });
      expect(chain[0]!.previousVersion).toBeNull();
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.previousVersion).toBe(chain[i - 1]!.version);
      expect(chain.at(-1)!.version).toBe(holder);

      await Promise.all(Array.from({ length: 6 }, (_, i) => registry.setApproval('fraud:1', { status: 'Approved', reason: `try ${i}` }, `u${i}`)));
      const history = await db.selectFrom('model_approval_history').selectAll().execute();
      expect(history).toHaveLength(1);
      expect(events.filter((e) => e.event === 'model_version.approval_changed')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
