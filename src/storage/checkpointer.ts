/**
 * Keeps SQLite's WAL checkpoints off the event loop. By default a commit that finds the WAL over 1,000 pages
 * checkpoints right there, on the committing thread — with an fsync, ~20 ms every few MB of writes (CDS audit rows at
 * hundreds of calls/s). With a job thread, `serve` leaves that to the thread's connection (jobs/thread/host.ts); without
 * one (`serve --no-worker`, inline jobs) this starts a small thread whose own connection checkpoints every second,
 * and turns the server connection's automatic checkpoints off until it stops.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import { dialectOf, sqlitePath } from './db.ts';
import type { Database } from './schema.ts';

const WORKER = fileURLToPath(new URL('./checkpointWorker.mjs', import.meta.url));

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts the checkpoint thread for a file-backed SQLite database; undefined for PostgreSQL or `:memory:`. */
export async function startCheckpointer(db: Kysely<Database>, databaseUrl: string, everyMs = 1000): Promise<Checkpointer | undefined> {
  if (dialectOf(db) !== 'sqlite') return undefined;
  const path = sqlitePath(databaseUrl);
  if (path === ':memory:') return undefined;
  const worker = new Worker(WORKER, { workerData: { path, everyMs } });
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  await sql`PRAGMA wal_autocheckpoint = 0`.execute(db);
  let stopped = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // a thread that dies leaves the checkpoints to the server's connection again, as without it
  const restore = () => sql`PRAGMA wal_autocheckpoint = 1000`.execute(db).then(() => undefined, () => undefined);
  worker.on('error', () => void restore());
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await restore();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 5000)));
      if (await Promise.race([exited.then(() => false), late])) await worker.terminate();
      clearTimeout(timer);
    },
  };
}
