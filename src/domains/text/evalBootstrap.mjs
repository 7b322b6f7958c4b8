// Entry of a text.train job's evaluation thread (evalThread.ts): registers tsx in the thread when the host names the
// TypeScript worker (a worker gets no loader from its parent, which may be tsx, vitest or plain node), then loads the
// worker. From the compiled build (dist/) the worker is JavaScript and tsx is not loaded.
import { workerData } from 'node:worker_threads';

if (workerData.entryUrl.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entryUrl);
