// Entry of a rule worker thread (piscina loads this file): registers tsx in this thread when the pool names the
// TypeScript entry (a worker gets no loader from its parent, and the parent may be tsx, vitest or plain node),
// then re-exports the entry's task function. From the compiled build (dist/) the entry is JavaScript and tsx is
// not loaded. Same scheme as src/jobs/thread/bootstrap.mjs.
import { workerData } from 'node:worker_threads';

if (workerData.entryUrl.endsWith('.ts')) (await import('tsx/esm/api')).register();
const entry = await import(workerData.entryUrl);
export default entry.default;
