/**
 * Resolves the transport for a command from the global options: `--url`/SAGEBRUSH_URL means a
 * running server; otherwise the embedded store in --data-dir is opened in-process (with a worker,
 * so jobs the command starts actually run). A command names the domains it calls (its scope): 'text' opens only
 * datasets, jobs, the model lifecycle and text classification (app/textServices.ts, http/textApi.ts); 'all' (the
 * default) the whole app.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { AppContext, ServiceSet } from '../app/context.ts';
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

/** The domains an embedded command uses: 'text' (datasets, jobs, models, text classification) or 'all'. */
export type CommandScope = 'all' | 'text';

export async function openTransport(opts: GlobalOptions, scope: CommandScope = 'all'): Promise<Transport> {
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
  const logger = createLogger(config.logLevel);
  if (scope === 'text') {
    const [{ createTextServices }, { registerTextApi }] = await Promise.all([import('../app/textServices.ts'), import('../http/textApi.ts')]);
    const ctx = await createAppContext(config, { logger, services: createTextServices });
    return startEmbedded(await buildApp(ctx, { routes: registerTextApi, ...EMBEDDED_HTTP }), ctx);
  }
  const ctx = await createAppContext(config, { logger });
  return startEmbedded(await buildApp(ctx, EMBEDDED_HTTP), ctx);
}

/** Requests come only from this command, through inject: no web UI, no OpenAPI document (nor their libraries). */
const EMBEDDED_HTTP = { webDist: null, openapi: false } as const;

async function startEmbedded(app: FastifyInstance, ctx: AppContext<ServiceSet>): Promise<Transport> {
  await app.ready();
  await ctx.queue.startWorker({ concurrency: ctx.config.workerConcurrency });
  return embeddedTransport(app, ctx);
}

/** Runs a command body with a transport that is always closed afterwards. */
export async function withTransport<T>(cmd: Command, body: (t: Transport, opts: GlobalOptions) => Promise<T>, scope: CommandScope = 'all'): Promise<T> {
  const opts = globalOptions(cmd);
  const transport = await openTransport(opts, scope);
  try {
    return await body(transport, opts);
  } finally {
    await transport.close();
  }
}
