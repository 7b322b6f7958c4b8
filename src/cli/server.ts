import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';

/** The server's modules, loaded when `serve` or `worker` runs rather than for every command (and `--help`). */
async function serverModules() {
  const [{ createAppContext }, { startJobs }, { recoverAtStartup }, { loadConfig }, { buildApp }, { startCheckpointer }] = await Promise.all([
    import('../app/context.ts'),
    import('../app/jobs.ts'),
    import('../app/recover.ts'),
    import('../core/config.ts'),
    import('../http/app.ts'),
    import('../storage/checkpointer.ts'),
  ]);
  return { createAppContext, startJobs, recoverAtStartup, loadConfig, buildApp, startCheckpointer };
}

function onShutdown(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      void close().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function context(cmd: Command, extra: { port?: string; host?: string; workers?: string }): Promise<AppContext> {
  const { loadConfig, createAppContext } = await serverModules();
  const g = cmd.optsWithGlobals<{ dataDir?: string }>();
  const config = loadConfig({ overrides: { dataDir: g.dataDir, port: extra.port, host: extra.host, workerConcurrency: extra.workers } });
  return createAppContext(config);
}

export function registerServerCommands(program: Command): void {
  program
    .command('serve')
    .description('Start the API and web UI (and, with the embedded queue, an in-process worker)')
    .option('--port <port>', 'port to listen on (SAGEBRUSH_PORT, default 8080)')
    .option('--host <host>', 'address to bind (SAGEBRUSH_HOST, default 127.0.0.1)')
    .option('--no-worker', 'do not run jobs in this process (use `sagebrush worker` elsewhere)')
    .action(async (o: { port?: string; host?: string; worker: boolean }, cmd: Command) => {
      const { buildApp, recoverAtStartup, startJobs, startCheckpointer } = await serverModules();
      const ctx = await context(cmd, o);
      const app = await buildApp(ctx);
      await recoverAtStartup(ctx);
      // Listening while the job thread loads (a few seconds): jobs enqueued meanwhile wait in the queue.
      const [jobs, address] = await Promise.all([
        o.worker && ctx.config.embeddedWorker ? startJobs(ctx) : undefined,
        app.listen({ port: ctx.config.port, host: ctx.config.host }),
      ]);
      // SQLite without a job thread (--no-worker, inline jobs): its WAL checkpoints go to a thread of their own
      const checkpointer = jobs?.mode === 'thread' ? undefined : await startCheckpointer(ctx.db, ctx.config.databaseUrl);
      process.stderr.write(
        `Sagebrush is running at ${address}  (UI: ${address}/, API: ${address}/api/v1, OpenAPI: ${address}/api/openapi.json)\n` +
          `data: ${ctx.config.dataDir} · db: ${ctx.config.databaseUrl.split(':')[0]} · artifacts: ${ctx.config.artifactsUrl.split(':')[0]} · queue: ${ctx.queue.kind} · jobs: ${jobs?.mode ?? 'not run here'}\n`,
      );
      await onShutdown(async () => {
        // Together: app.close() waits for open job streams (SSE), which end when stopping ends their jobs.
        await Promise.all([app.close(), jobs?.stop()]);
        await checkpointer?.stop();
        await ctx.close();
      });
    });

  program
    .command('worker')
    .description('Run jobs from the queue (BullMQ on Redis via SAGEBRUSH_QUEUE_URL, or the embedded queue of --data-dir)')
    .option('--workers <n>', 'jobs run at once (SAGEBRUSH_WORKER_CONCURRENCY)')
    .action(async (o: { workers?: string }, cmd: Command) => {
      const { recoverAtStartup, startJobs } = await serverModules();
      const ctx = await context(cmd, o);
      await recoverAtStartup(ctx);
      const jobs = await startJobs(ctx);
      process.stderr.write(`worker started: queue ${ctx.queue.kind}, concurrency ${ctx.config.workerConcurrency}, jobs: ${jobs.mode}\n`);
      await onShutdown(async () => {
        await jobs.stop();
        await ctx.close();
      });
    });
}
