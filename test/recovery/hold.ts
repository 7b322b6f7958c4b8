/**
 * Preloaded into a crash-test server (`--import tsx --import hold.ts`, see server.ts): while `$SB_TEST_HOLD_DIR/hold`
 * exists, every job handler that reports progress stops there for good (after its real work began) and leaves
 * `<jobId>.held` beside it, so the test can kill -9 the server with every job mid-run, deterministically.
 * Job worker threads get the same preload (their execArgv is extended here), since handlers may run there.
 */
import { existsSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import workerThreads from 'node:worker_threads';
import { DbJobQueue } from '../../src/jobs/base.ts';
import type { JobContext, JobDefinition } from '../../src/jobs/types.ts';

const dir = process.env.SB_TEST_HOLD_DIR ?? '';

const register = DbJobQueue.prototype.register;
DbJobQueue.prototype.register = function (this: DbJobQueue, handler: JobDefinition<any, any>) {
  const held: JobDefinition<any, any> = Object.assign(Object.create(handler) as JobDefinition<any, any>, {
    run: (ctx: JobContext<unknown>) => handler.run({
      ...ctx,
      progress: async (fraction: number, message?: string) => {
        await ctx.progress(fraction, message);
        if (dir && existsSync(join(dir, 'hold'))) {
          writeFileSync(join(dir, `${ctx.job.id}.held`), `${handler.type} ${fraction} ${message ?? ''}`);
          await new Promise<never>(() => {}); // until the process is killed
        }
      },
    }),
  });
  return register.call(this, held);
};

if (workerThreads.isMainThread) {
  const Base = workerThreads.Worker;
  const preload = join(import.meta.dirname, 'hold-thread.mjs');
  class HeldWorker extends Base {
    constructor(file: string | URL, options: workerThreads.WorkerOptions = {}) {
      super(file, { ...options, execArgv: [...(options.execArgv ?? []), '--import', preload] });
    }
  }
  (workerThreads as { Worker: typeof Base }).Worker = HeldWorker;
  module.syncBuiltinESMExports();
}
