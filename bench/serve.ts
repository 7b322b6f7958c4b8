/**
 * Shared by the bench server processes (bench/*.server.ts): the real app on a data dir, listening on 127.0.0.1 on
 * a free port. Prints `{"port": N}` once listening; when stdin closes (the parent is done or went away) or on
 * SIGTERM it closes everything and prints `{"peakRssMb": …}`.
 */
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../src/app/context.ts';
import { startJobs, type RunningJobs } from '../src/app/jobs.ts';
import { loadConfig, type ConfigInput } from '../src/core/config.ts';
import { buildApp } from '../src/http/app.ts';

export async function serveForBench(script: string, overrides: ConfigInput = {}, options: { startWorker?: boolean } = {}): Promise<AppContext> {
  const dataDir = process.argv[2];
  if (!dataDir) {
    console.error(`usage: ${script} DATA_DIR`);
    process.exit(2);
  }
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', apiTokens: [], ...overrides } }));
  // Jobs run as `serve` runs them (a worker thread by default), so endpoint figures taken during a job are a server's.
  const jobs: RunningJobs | undefined = options.startWorker ? await startJobs(ctx) : undefined;
  const app = await buildApp(ctx, { webDist: join(dataDir, 'no-web-ui') });
  // SB_BENCH_PORT: a port the parent chose (so it can allow-list this server's own origin); else a free one.
  await app.listen({ host: '127.0.0.1', port: Number(process.env.SB_BENCH_PORT ?? 0) });
  const address = app.server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : null }));

  let closing = false;
  async function shutdown(): Promise<void> {
    if (closing) return;
    closing = true;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    await Promise.all([app.close(), jobs?.stop()]);
    await ctx.close();
    console.log(JSON.stringify({ peakRssMb }));
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  return ctx;
}
