/**
 * Verifies the CDS client's JWT (CDS Hooks 2.0 §Trusting CDS Clients) with jose: the issuer must be a
 * configured client; keys come from its inline JWKS, its JWKS URL, or a `jku` header that is allow-listed for
 * it; ES384 / RS384 by default, never `none` or HMAC; `aud` = the exact URL called; `exp`, `iat`, `jti`
 * required; a `jti` is accepted once per issuer (stored in the DB until the token expires).
 */
import type { Kysely } from 'kysely';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey, type JWK } from 'jose';
import { z } from 'zod';
import { cdsClientSchema } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/schema.ts';

export type CdsClient = z.infer<typeof cdsClientSchema>;

export interface VerifiedClient {
  iss: string;
  jti: string;
}

export interface JwtVerifier {
  readonly required: boolean;
  /** Checks `Authorization: Bearer <jwt>`; null when verification is off and no token was sent. */
  verify(authorization: string | undefined, audiences: string[]): Promise<VerifiedClient | null>;
}

export interface JwtVerifierDeps {
  clients: readonly CdsClient[];
  required: boolean;
  db: Kysely<Database>;
  now?: () => Date;
  /** For tests: the fetch used to download JWKS. */
  fetch?: typeof fetch;
  /** Seconds of clock skew allowed on exp/iat (Inferno allows 60). */
  clockToleranceSec?: number;
  /** Oldest `iat` accepted, seconds (CDS Hooks best practice: reject old tokens). */
  maxTokenAgeSec?: number;
}

const invalid = (msg: string) => new AppError('CDS_JWT_INVALID', `The CDS client JWT was rejected: ${msg}.`);

export function createJwtVerifier(deps: JwtVerifierDeps): JwtVerifier {
  const now = deps.now ?? (() => new Date());
  const remote = new Map<string, JWTVerifyGetKey>();
  const local = new Map<string, JWTVerifyGetKey>();
  let calls = 0;

  function remoteSet(url: string): JWTVerifyGetKey {
    let set = remote.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, ...(deps.fetch ? { [customFetch]: deps.fetch } : {}) });
      remote.set(url, set);
    }
    return set;
  }

  function keysFor(client: CdsClient, jku: string | undefined): JWTVerifyGetKey {
    if (jku !== undefined) {
      if (!client.jku.includes(jku) && client.jwksUrl !== jku) throw invalid(`the jku header ${jku} is not allow-listed for issuer ${client.iss}`);
      return remoteSet(jku);
    }
    if (client.jwks) {
      let set = local.get(client.iss);
      if (!set) {
        set = createLocalJWKSet({ keys: client.jwks.keys as unknown as JWK[] });
        local.set(client.iss, set);
      }
      return set;
    }
    if (client.jwksUrl) return remoteSet(client.jwksUrl);
    throw invalid(`issuer ${client.iss} has no configured keys and the token has no jku header`);
  }

  async function rememberJti(iss: string, jti: string, exp: number): Promise<void> {
    if (++calls % 100 === 0) {
      await deps.db.deleteFrom('cds_jwt_ids').where('expires_at', '<', new Date(now().getTime() - 3600_000).toISOString()).execute();
    }
    const row = await deps.db.selectFrom('cds_jwt_ids').select('jti').where('iss', '=', iss).where('jti', '=', jti).executeTakeFirst();
    if (row) throw new AppError('CDS_JWT_REPLAYED', `The CDS client JWT was rejected: jti ${jti} from ${iss} was already used. Sign a new token with a fresh jti for every call.`);
    try {
      await deps.db.insertInto('cds_jwt_ids').values({ iss, jti, expires_at: new Date(exp * 1000).toISOString() }).execute();
    } catch {
      // Two concurrent calls with the same jti: the primary key lets exactly one of them through.
      throw new AppError('CDS_JWT_REPLAYED', `The CDS client JWT was rejected: jti ${jti} from ${iss} was already used.`);
    }
  }

  return {
    required: deps.required,
    async verify(authorization, audiences) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!m) {
        if (!deps.required) return null;
        throw new AppError('CDS_JWT_REQUIRED', 'Send Authorization: Bearer <JWT> signed by a registered CDS client (CDS Hooks §Trusting CDS Clients).');
      }
      if (!deps.required) return null;
      const token = m[1]!;
      let header: ReturnType<typeof decodeProtectedHeader>;
      let claims: ReturnType<typeof decodeJwt>;
      try {
        header = decodeProtectedHeader(token);
        claims = decodeJwt(token);
      } catch {
        throw invalid('it is not a well-formed signed JWT');
      }
      const alg = header.alg ?? '';
      if (!alg || alg.toLowerCase() === 'none' || /^HS/i.test(alg)) throw invalid(`alg "${alg || 'missing'}" is not allowed (none and HMAC algorithms are forbidden; use ES384 or RS384)`);
      if (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT') throw invalid('the header must have typ "JWT"');
      if (typeof header.kid !== 'string' || !header.kid) throw invalid('the header has no kid');
      const iss = typeof claims.iss === 'string' ? claims.iss : '';
      const client = deps.clients.find((c) => c.iss === iss);
      if (!client) throw invalid(iss ? `issuer ${iss} is not a registered CDS client` : 'the token has no iss');
      if (!(client.algorithms as string[]).includes(alg)) throw invalid(`alg ${alg} is not accepted for ${iss} (accepted: ${client.algorithms.join(', ')})`);
      const keys = keysFor(client, typeof header.jku === 'string' ? header.jku : undefined);
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: client.algorithms,
          issuer: client.iss,
          audience: audiences,
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
          clockTolerance: deps.clockToleranceSec ?? 60,
          maxTokenAge: deps.maxTokenAgeSec ?? 600,
          currentDate: now(),
        }));
      } catch (err) {
        throw mapJoseError(err, { kid: header.kid, aud: claims.aud, audiences, iat: claims.iat, now: Math.floor(now().getTime() / 1000), skewSec: deps.clockToleranceSec ?? 60, maxAgeSec: deps.maxTokenAgeSec ?? 600 });
      }
      const jti = typeof payload.jti === 'string' ? payload.jti : '';
      if (!jti) throw invalid('jti is empty');
      await rememberJti(client.iss, jti, payload.exp!);
      return { iss: client.iss, jti };
    },
  };
}

interface JoseErrorInfo {
  kid: string;
  aud: unknown;
  audiences: string[];
  iat: unknown;
  now: number;
  skewSec: number;
  maxAgeSec: number;
}

function mapJoseError(err: unknown, info: JoseErrorInfo): AppError {
  if (err instanceof AppError) return err;
  const limits = `at most ${info.maxAgeSec} s old, with ${info.skewSec} s of clock skew allowed`;
  // jose reports an iat older than maxTokenAge as JWTExpired with claim "iat": say so, not "exp is in the past".
  if ((err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed) && err.claim === 'iat') {
    if (typeof info.iat !== 'number') return invalid('iat is missing or not a number (seconds since the epoch)');
    if (info.iat > info.now) return invalid(`iat is ${info.iat - info.now} s in the future (more than the ${info.skewSec} s of clock skew allowed); check the client's clock`);
    return invalid(`iat is too old: the token was issued ${info.now - info.iat} s ago and must be ${limits}; sign a fresh token for each call`);
  }
  if (err instanceof errors.JWTExpired) return invalid(`it has expired (exp is in the past, beyond the ${info.skewSec} s of clock skew allowed)`);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return invalid(`aud ${JSON.stringify(info.aud)} is not the URL called (${info.audiences[0]})`);
    return invalid(`claim ${err.claim}: ${err.message}`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return invalid(`no key with kid ${info.kid} in the client's JWKS`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalid('the signature does not verify with the client key');
  if (err instanceof errors.JOSEAlgNotAllowed) return invalid('the algorithm is not allowed');
  if (err instanceof errors.JWKSTimeout) return invalid("the client's JWKS could not be fetched in time");
  if (err instanceof errors.JOSEError) return invalid(err.message);
  return invalid(`its keys could not be loaded (${(err as Error)?.message ?? 'error'})`);
}
