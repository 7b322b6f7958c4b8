/**
 * The online store: the latest row per record id of a feature group. Two implementations behind one interface:
 *  - `db` (default): the `feature_online` table, moved forward inside the offline append's own transaction (store.ts);
 *  - Redis (`SAGEBRUSH_FEATURES_ONLINE_URL=redis://…`): one hash per group, written only after the offline append
 *    committed, by a script that only moves a record forward (greater event time, then greater write `seq`), so
 *    concurrent ingests, retries and rebuilds land in any order and the hash still holds the history's latest.
 * Either can be rebuilt from the offline store (the source of truth): after Redis lost its memory, or an online write
 * failed after its offline commit (the ingest then reports `onlineStale: true`).
 */
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/schema.ts';
import { getOnline, scanRecords, type RecordRow } from './store.ts';

/** One online row: what `feature_online` holds. */
export type OnlineRow = Pick<RecordRow, 'record_id' | 'event_time' | 'seq' | 'schema_version' | 'written_at' | 'values_json'>;

export interface OnlineStore {
  readonly kind: 'db' | 'redis';
  /** True when the offline append writes this store itself, in its transaction (the `db` store). */
  readonly inTransaction: boolean;
  get(groupId: string, recordId: string): Promise<OnlineRow | undefined>;
  /** Moves records forward (older rows are ignored); returns how many changed. Called after the offline commit. */
  apply(groupId: string, rows: OnlineRow[]): Promise<number>;
  /** Replaces the group's online rows with the offline store's latest per id; returns how many ids it holds. */
  rebuild(groupId: string): Promise<number>;
  drop(groupId: string): Promise<void>;
  close(): Promise<void>;
}

/** The latest row per id of `rows` (by event time, then seq). */
export function latestOf(rows: OnlineRow[]): OnlineRow[] {
  const latest = new Map<string, OnlineRow>();
  for (const r of rows) {
    const cur = latest.get(r.record_id);
    if (!cur || Number(r.event_time) > Number(cur.event_time) || (Number(r.event_time) === Number(cur.event_time) && Number(r.seq) > Number(cur.seq))) latest.set(r.record_id, r);
  }
  return [...latest.values()];
}

/** The offline store's latest row per id, in pages (the key-ordered scan: an id's last row is its latest). */
async function* offlineLatest(db: Kysely<Database>, groupId: string, minSeq = 0): AsyncGenerator<OnlineRow[]> {
  let held: OnlineRow | undefined;
  for await (const page of scanRecords(db, groupId, { full: true })) {
    const out: OnlineRow[] = [];
    for (const r of page as OnlineRow[]) {
      if (held && held.record_id !== r.record_id && Number(held.seq) >= minSeq) out.push(held);
      held = r;
    }
    if (out.length) yield out;
  }
  if (held && Number(held.seq) >= minSeq) yield [held];
}

export function dbOnlineStore(db: Kysely<Database>): OnlineStore {
  return {
    kind: 'db',
    inTransaction: true,
    get: (groupId, recordId) => getOnline(db, groupId, recordId),
    apply: async () => 0, // written by the offline append's transaction
    async rebuild(groupId) {
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom('feature_online').where('group_id', '=', groupId).execute();
        let n = 0;
        for await (const rows of offlineLatest(tx, groupId)) {
          for (let i = 0; i < rows.length; i += 2000) await tx.insertInto('feature_online').values(rows.slice(i, i + 2000).map((r) => ({ ...r, group_id: groupId }))).execute();
          n += rows.length;
        }
        return n;
      });
    },
    drop: async () => undefined, // the group's delete removes the rows
    close: async () => undefined,
  };
}

// ARGV: (recordId, eventTime, seq, rest)…; a value is "eventTime|seq|rest". Sets a field only when (t, s) is newer.
const FORWARD = `
local n = 0
for i = 1, #ARGV, 4 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if cur then
    local ct, cs = string.match(cur, '^(%-?%d+)|(%d+)|')
    local t, s = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
    ct, cs = tonumber(ct), tonumber(cs)
    newer = t > ct or (t == ct and s > cs)
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2] .. '|' .. ARGV[i + 3])
    n = n + 1
  end
end
return n`;

const CHUNK = 1000;

function encode(r: OnlineRow): string[] {
  return [r.record_id, String(Number(r.event_time)), String(Number(r.seq)), `${r.schema_version}|${r.written_at}|${r.values_json}`];
}

function decode(recordId: string, v: string): OnlineRow {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < 4; i++) {
    const bar = v.indexOf('|', at);
    parts.push(v.slice(at, bar));
    at = bar + 1;
  }
  return { record_id: recordId, event_time: Number(parts[0]), seq: Number(parts[1]), schema_version: Number(parts[2]), written_at: parts[3]!, values_json: v.slice(at) };
}

/** The Redis online store; connects on first use (ioredis is loaded only then). `prefix` namespaces the keys. */
export function redisOnlineStore(db: Kysely<Database>, url: string, prefix = 'sagebrush'): OnlineStore {
  let client: Promise<Redis> | undefined;
  const redis = () =>
    (client ??= import('ioredis').then(({ Redis: Client }) => {
      // A command waits for a reconnect only briefly: an ingest's offline rows are already committed by then.
      const c = new Client(url, { maxRetriesPerRequest: 2, connectTimeout: 5000, retryStrategy: (n) => Math.min(n * 200, 2000) });
      c.on('error', () => undefined); // reported by the commands that fail
      c.defineCommand('sbForward', { numberOfKeys: 1, lua: FORWARD });
      return c;
    }));
  const key = (groupId: string) => `${prefix}:features:online:${groupId}`;
  const unavailable = (err: unknown) =>
    new AppError('FEATURE_ONLINE_UNAVAILABLE', `The Redis online store at ${url.replace(/\/\/[^@/]*@/, '//***@')} did not answer: ${(err as Error).message}`, {
      cause: err,
      problems: [{ field: 'featuresOnlineUrl', problem: (err as Error).message, fix: 'Start Redis (or fix SAGEBRUSH_FEATURES_ONLINE_URL); then POST /api/v1/feature-groups/{name}/online/rebuild.' }],
    });
  async function forward(k: string, rows: OnlineRow[]): Promise<number> {
    const c = (await redis()) as Redis & { sbForward(key: string, ...args: string[]): Promise<number> };
    let n = 0;
    for (let i = 0; i < rows.length; i += CHUNK) n += await c.sbForward(k, ...rows.slice(i, i + CHUNK).flatMap(encode));
    return n;
  }
  return {
    kind: 'redis',
    inTransaction: false,
    async get(groupId, recordId) {
      const v = await (await redis()).hget(key(groupId), recordId).catch((err: unknown) => { throw unavailable(err); });
      return v === null ? undefined : decode(recordId, v);
    },
    apply: (groupId, rows) => forward(key(groupId), latestOf(rows)).catch((err: unknown) => { throw unavailable(err); }),
    async rebuild(groupId) {
      // Built aside and renamed into place (readers never see half of it); then rows written since the scan began
      // (whose own online write may have gone to the replaced hash) are moved forward again.
      const snap = await db.selectFrom('feature_groups').select('next_seq').where('id', '=', groupId).executeTakeFirst();
      const tmp = `${key(groupId)}:rebuild:${process.pid}:${Date.now()}`;
      try {
        let n = 0;
        for await (const rows of offlineLatest(db, groupId)) {
          await forward(tmp, rows);
          n += rows.length;
        }
        const c = await redis();
        if (n > 0) await c.rename(tmp, key(groupId));
        else await c.del(key(groupId));
        for await (const rows of offlineLatest(db, groupId, Number(snap?.next_seq ?? 0))) await forward(key(groupId), rows);
        return n;
      } catch (err) {
        await (await redis()).del(tmp).catch(() => undefined);
        throw err instanceof AppError ? err : unavailable(err);
      }
    },
    async drop(groupId) {
      await (await redis()).del(key(groupId)).catch((err: unknown) => { throw unavailable(err); });
    },
    async close() {
      const c = await client;
      client = undefined;
      if (c?.status === 'ready') await c.quit().catch(() => c.disconnect());
      else c?.disconnect();
    },
  };
}

/** The configured online store: `db` or a redis:// URL (config `featuresOnlineUrl`). */
export function openOnlineStore(db: Kysely<Database>, url: string | undefined, prefix?: string): OnlineStore {
  return !url || url === 'db' ? dbOnlineStore(db) : redisOnlineStore(db, url, prefix);
}
