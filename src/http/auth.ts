/**
 * Bearer-token auth decided on the matched route, never on the raw URL. The router decodes and
 * normalises the path (`/%61pi/v1/datasets` matches `/api/v1/datasets`), so a check on `request.url`
 * can be bypassed; the matched route's `config.auth` cannot.
 *
 * Every route declares `config: { auth }`: absent or `'token'` (the default: deny without a valid token
 * when SAGEBRUSH_API_TOKENS is set), `'open'` (health, OpenAPI, FHIR metadata, the web UI's files), or
 * `'cds'` (CDS Hooks routes, which check their own client JWT or API token with `hasValidApiToken`), or `'device'`
 * (the edge agents' routes under /api/v1/edge/device/: their scope's onRequest hook requires a device token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../core/errors.ts';
import { ANONYMOUS, parseApiTokens } from '../core/apiTokens.ts';
import '../core/http/principal.ts';

export type RouteAuth = 'token' | 'open' | 'cds' | 'device';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route when API tokens are configured; absent means `'token'`. */
    auth?: RouteAuth;
  }
}

/** The route's declared auth mode (`'token'` when it declares none). */
export function routeAuth(request: FastifyRequest): RouteAuth {
  const auth = (request.routeOptions.config as { auth?: unknown } | undefined)?.auth;
  return auth === 'open' || auth === 'cds' || auth === 'device' ? auth : 'token';
}

export function apiTokensConfigured(tokens: readonly string[]): boolean {
  return tokens.length > 0;
}

const digestCache = new WeakMap<readonly string[], Array<{ name: string; digest: Buffer }>>();

/** The digest of each entry's token part (`name:token` entries name their caller; core/apiTokens.ts). */
function digestsOf(tokens: readonly string[]): Array<{ name: string; digest: Buffer }> {
  let digests = digestCache.get(tokens);
  if (!digests) {
    digests = parseApiTokens(tokens).map((t) => ({ name: t.name, digest: sha256(t.token) }));
    digestCache.set(tokens, digests);
  }
  return digests;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match ? match[1]!.trim() : undefined;
}

/**
 * True when the request carries `Authorization: Bearer <t>` with t one of `tokens`. Compared as SHA-256
 * digests with timingSafeEqual over every token, so the time depends on neither content nor length.
 */
export function hasValidApiToken(request: FastifyRequest, tokens: readonly string[]): boolean {
  return apiTokenName(request, tokens) !== undefined;
}

/** The name of the token the request carries, or undefined; every digest is compared (no early exit). */
export function apiTokenName(request: FastifyRequest, tokens: readonly string[]): string | undefined {
  const given = bearerOf(request);
  if (given === undefined) return undefined;
  const digest = sha256(given);
  let name: string | undefined;
  for (const d of digestsOf(tokens)) if (timingSafeEqual(d.digest, digest) && name === undefined) name = d.name;
  return name;
}

/** Throws UNAUTHORIZED unless the request has a valid token (no-op when no tokens are configured). */
export function requireApiToken(request: FastifyRequest, tokens: readonly string[]): void {
  if (!apiTokensConfigured(tokens) || hasValidApiToken(request, tokens)) return;
  if (bearerOf(request) === undefined) {
    throw new AppError('UNAUTHORIZED', 'Send an Authorization: Bearer <token> header (tokens are set with SAGEBRUSH_API_TOKENS).');
  }
  throw new AppError('UNAUTHORIZED', 'The bearer token is not valid.');
}

const routeTables = new WeakMap<FastifyInstance, RouteOptions[]>();

/**
 * The one global check; install on the root instance before any route is registered. Requests that
 * match no route go on to the not-found handlers, which serve only a 404 or the UI's index.html.
 * It also records every route registered after it, for `authTable`.
 */
export function installAuth(app: FastifyInstance, tokens: readonly string[]): void {
  const table: RouteOptions[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    table.push(route);
    // Open routes say so in the OpenAPI document (an empty security requirement overrides the global bearer one).
    if ((route.config as { auth?: RouteAuth } | undefined)?.auth === 'open') route.schema = { ...route.schema, security: [] };
  });
  if (!apiTokensConfigured(tokens)) return;
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    // Who the caller is (recorded as who approved, moved an alias…); "anonymous" when the API is open.
    request.principal = apiTokenName(request, tokens) ?? ANONYMOUS;
    if (routeAuth(request) !== 'token') return;
    requireApiToken(request, tokens);
  });
}

/** Every route registered after `installAuth`, one row per method, with the auth it declares (read now). */
export function authTable(app: FastifyInstance): Array<{ method: string; url: string; auth: RouteAuth }> {
  return (routeTables.get(app) ?? []).flatMap((route) => {
    const auth = (route.config as { auth?: RouteAuth } | undefined)?.auth ?? 'token';
    return [route.method].flat().map((method) => ({ method, url: route.url, auth }));
  });
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
