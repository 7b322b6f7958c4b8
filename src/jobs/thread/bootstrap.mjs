// Entry of the job worker thread: registers tsx in this thread (a worker gets no loader from its parent, and the
// parent may be tsx, vitest or plain node) when the host names the TypeScript entry, then loads it. From the
// compiled build (dist/) the entry is JavaScript and tsx is not loaded.
import { workerData } from 'node:worker_threads';

if (workerData.entryUrl.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entryUrl);
