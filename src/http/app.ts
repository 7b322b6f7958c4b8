/**
 * Assembles the HTTP server: zod validation + OpenAPI 3.1 from the same schemas, problem+json errors,
 * request ids, optional bearer auth, health, the domain routes and the built web UI at `/`.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, } from 'fastify-type-provider-zod';
import type { AppContext, ServiceSet } from '../app/context.ts';
import { AppError } from '../core/errors.ts';
import { frameworkErrorReply, MAX_PARAM_LENGTH, toProblem } from '../core/http/problem.ts';
import { installJsonBodyParser } from '../core/http/json-body.ts';
import { installAuth } from './auth.ts';
import { clientErrorHandler, installResponseHeaderGuard } from '../core/http/protocol.ts';

export type ApiApp = FastifyInstance;

/** What the framework set-up reads from the context (the routes read the services). */
type HttpContext = Pick<AppContext<ServiceSet>, 'logger' | 'config'>;

/** zod's compilers in fastify's factory slots (typed for ajv's route definitions, which zod's do not name). */
const ZOD_COMPILERS = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export interface BuildAppOptions {
  /** The built web UI served at `/` (default web/dist when it exists); null: none (the embedded CLI). */
  webDist?: string | null;
  /** The OpenAPI document at /api/openapi.json (default true); the embedded CLI, which never asks for it, skips it. */
  openapi?: boolean;
}

export function buildApp(ctx: AppContext, options?: BuildAppOptions): Promise<FastifyInstance>;
/**
 * With `routes` in place of every domain's (routes.ts, imported only when used): the embedded CLI's text commands
 * serve only their domains' routes (textApi.ts) from a lean context.
 */
export function buildApp<C extends HttpContext>(ctx: C, options: BuildAppOptions & { routes: (app: FastifyInstance, ctx: C) => Promise<void> }): Promise<FastifyInstance>;
export async function buildApp(ctx: HttpContext, options: BuildAppOptions & { routes?: (app: FastifyInstance, ctx: HttpContext) => Promise<void> } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 16 * 1024 * 1024,
    // Oversized headers (431) and other malformed requests get a problem+json body, not a bare status.
    clientErrorHandler,
    // Router errors (bad percent-escape, over-long path parameter) as problem+json, not fastify's own JSON.
    frameworkErrors: frameworkErrorReply,
    // Longest name a path carries: CQL rule names (up to 200 characters); the default 100 would 414 them.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Every route validates and serializes with zod (set below), so fastify's default compilers (ajv,
    // fast-json-stringify) would never run: naming zod's here keeps them from loading (~0.1 s of each start-up).
    schemaController: { compilersFactory: ZOD_COMPILERS },
  });
  const webDist = options.webDist === undefined ? WEB_DIST : options.webDist;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // A callback hook, not an async one: no promise per response on the hot path.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  installResponseHeaderGuard(app);

  app.setErrorHandler((err, request, reply) => {
    const { body, internal } = toProblem(err, request.id, request.url);
    if (internal) request.log.error({ err, requestId: request.id }, 'unhandled error');
    else if (body.status >= 500) request.log.warn({ code: body.code, requestId: request.id }, body.detail);
    if (body.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(body.status).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A missing hashed asset (a tab still running an older build) is a 404, not the page's HTML served as a script.
    if (webDist !== null && !isApiPath(path) && !path.startsWith('/assets/') && request.method === 'GET' && existsSync(join(webDist, 'index.html'))) {
      // Client-side routes (e.g. /datasets/ds_1) get the single-page app; never any other file.
      return reply.sendFile('index.html', webDist);
    }
    const { body } = toProblem(new AppError('ROUTE_NOT_FOUND', `No route ${request.method} ${path}. See /api/openapi.json for the API.`), request.id, request.url);
    return reply.status(404).type('application/problem+json').send(body);
  });

  const openapi = options.openapi ?? true;
  // Loaded only to serve the OpenAPI document (it brings yaml and its spec builders).
  if (openapi) await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sagebrush API', version: '1', description: 'Self-hosted ML studio API' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: ctx.config.apiTokens.length > 0 ? [{ bearer: [] }] : [],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.config.maxUploadBytes, files: 1, fields: 20 },
  });
  installJsonBodyParser(app);
  installAuth(app, ctx.config.apiTokens);

  const open = { auth: 'open' } as const;
  app.get('/healthz', { schema: { hide: true }, config: open }, async () => ({ status: 'ok' }));
  if (openapi) app.get('/api/openapi.json', { schema: { hide: true }, config: open }, async () => app.swagger());

  if (options.routes) await options.routes(app, ctx);
  else await (await import('./routes.ts')).registerRoutes(app, ctx as AppContext);

  if (webDist !== null && existsSync(webDist)) {
    // Loaded only to serve the UI: the embedded CLI (no UI) starts without it.
    const { default: fastifyStatic } = await import('@fastify/static');
    // The UI's static files are open: the plugin's own routes are marked here, in their own context.
    await app.register(async (web) => {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: 'open' };
      });
      // send() refuses odd paths (`//x`, `..`) with a bare 403 "Forbidden": treat them as not found, so
      // they get the same 404 (or the UI's index.html) as any other path with no file behind it.
      web.setErrorHandler((err: { statusCode?: number }, _request, reply) => (err.statusCode === 403 ? reply.callNotFound() : reply.send(err)));
      await web.register(fastifyStatic, {
        root: webDist,
        prefix: '/',
        wildcard: true,
        index: ['index.html'],
        // The build writes .br/.gz beside each file (scripts/precompress.ts); the plugin picks one by Accept-Encoding
        // and adds `Vary: accept-encoding`.
        preCompressed: true,
        setHeaders: (reply, path) => reply.header('cache-control', staticCacheControl(webDist, path)),
      });
    });
  } else {
    app.get('/', { schema: { hide: true }, config: open }, async (_req, reply) =>
      reply.type('text/plain').send('Sagebrush API is running. Build the web UI with `npm run build:web` to serve it here.'),
    );
  }
  return app;
}

/**
 * Vite names every file under assets/ by its content hash, so it can be cached for good; everything else
 * (index.html above all, which names the current hashes) is revalidated on each load so a new build is picked up.
 */
export function staticCacheControl(webDist: string, path: string): string {
  const rel = relative(webDist, path).split(sep).join('/');
  return rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Paths the SPA fallback never answers: decoded, slashes collapsed, dot segments resolved and case-folded,
 * so no spelling of an API path gets the UI's index.html instead of a 404.
 */
function isApiPath(rawPath: string): boolean {
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // keep the raw path: a malformed escape is not an API route either way
  }
  path = new URL(path.replace(/[/\\]+/g, '/'), 'http://x').pathname.toLowerCase();
  return ['/api', '/v1/', '/cds-services', '/fhir/'].some((p) => path.startsWith(p));
}
