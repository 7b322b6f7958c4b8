// The SQLite WAL checkpointer thread (checkpointer.ts): its own connection to the database file runs a PASSIVE
// checkpoint every `everyMs` — copying committed WAL frames into the database and fsyncing it — so that work (and its
// fsync) never runs on the server's event loop inside a commit. Plain JavaScript: nothing to compile or register.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or the file went away: the next tick tries again; the server's own connection is unaffected
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('stopped');
  parentPort.close();
});
parentPort.postMessage('ready');
