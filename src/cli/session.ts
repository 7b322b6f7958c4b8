/**
 * Resolves the transport for a command from the global options: `--url`/SAGEBRUSH_URL means a
 * running server; otherwise the embedded store in --data-dir is opened in-process (with a worker,
 * so jobs the command starts actually run).
 */
import type { Command } from 'commander';
import { embeddedTransport, remoteTransport, type Transport } from './transport.ts';

export interface GlobalOptions {
  url?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export async function openTransport(opts: GlobalOptions): Promise<Transport> {
  const url = opts.url ?? process.env.SAGEBRUSH_URL;
  if (url) {
    const token = opts.token ?? process.env.SAGEBRUSH_TOKEN ?? process.env.SAGEBRUSH_API_TOKENS?.split(',')[0];
    return remoteTransport(url, token);
  }
  // Embedded one-shot mode: quiet logs so stdout/stderr stay readable. The app (and every domain's libraries) loads
  // only here, so `--help`, argument errors and `--url` commands start in a fraction of the time.
  const [{ createAppContext }, { loadConfig }, { createLogger }, { buildApp }] = await Promise.all([
    import('../app/context.ts'),
    import('../core/config.ts'),
    import('../core/logger.ts'),
    import('../http/app.ts'),
  ]);
  const config = loadConfig({ overrides: { dataDir: opts.dataDir, logLevel: process.env.SAGEBRUSH_LOG_LEVEL ?? 'warn', apiTokens: [] } });
  const ctx = await createAppContext(config, { logger: createLogger(config.logLevel) });
  const app = await buildApp(ctx);
  await app.ready();
  await ctx.queue.startWorker({ concurrency: config.workerConcurrency });
  return embeddedTransport(app, ctx);
}

/** Runs a command body with a transport that is always closed afterwards. */
export async function withTransport<T>(cmd: Command, body: (t: Transport, opts: GlobalOptions) => Promise<T>): Promise<T> {
  const opts = globalOptions(cmd);
  const transport = await openTransport(opts);
  try {
    return await body(transport, opts);
  } finally {
    await transport.close();
  }
}
