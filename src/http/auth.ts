import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.ts';

/** Paths under /api that stay open even when tokens are configured. */
const OPEN_PATHS = new Set(['/api/openapi.json', '/healthz']);

/**
 * Optional bearer-token auth: when tokens are configured, every /api route (and the OpenAI-style /v1
 * routes) needs `Authorization: Bearer <token>`. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so the comparison time depends on neither the token's content nor its length.
 */
export function installAuth(app: FastifyInstance, tokens: readonly string[]): void {
  if (tokens.length === 0) return;
  const digests = tokens.map((t) => sha256(t));
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!(path.startsWith('/api/') || path.startsWith('/v1/')) || OPEN_PATHS.has(path)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new AppError('UNAUTHORIZED', 'Send an Authorization: Bearer <token> header (tokens are set with SAGEBRUSH_API_TOKENS).');
    const given = sha256(match[1]!.trim());
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    if (!ok) throw new AppError('UNAUTHORIZED', 'The bearer token is not valid.');
  });
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
