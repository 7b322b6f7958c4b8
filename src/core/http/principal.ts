/**
 * Who made a request: the name of the API token it carried (`name:token` in SAGEBRUSH_API_TOKENS, or `token-N` for
 * a plain token), or "anonymous" when the API is open. Set by the one auth hook (src/http/auth.ts) on every matched
 * route; routes read it with `principalOf(request)` to record who did something.
 */
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS } from '../apiTokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's token name; "anonymous" when no token identified it. */
    principal?: string;
  }
}

export function principalOf(request: FastifyRequest): string {
  return request.principal ?? ANONYMOUS;
}
