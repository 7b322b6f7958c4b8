// Entry of the job worker thread: registers tsx in this thread (a worker gets no loader from its parent, and the
// parent may be tsx, vitest or plain node), then loads the TypeScript entry named by the host.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entryUrl);
