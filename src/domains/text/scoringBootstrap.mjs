// Entry of a text scoring thread (piscina loads it): registers tsx in the thread when the host names the TypeScript
// worker (a worker gets no loader from its parent, which may be tsx, vitest or plain node), then runs the worker's
// task function. From the compiled build (dist/) the worker is JavaScript and tsx is not loaded. No top-level await:
// piscina may load this file with require().
import { workerData } from 'node:worker_threads';

const task = (async () => {
  if (workerData.entryUrl.endsWith('.ts')) (await import('tsx/esm/api')).register();
  return (await import(workerData.entryUrl)).default;
})();
task.catch(() => {}); // reported by the first task instead

export default async function run(input) {
  return (await task)(input);
}
