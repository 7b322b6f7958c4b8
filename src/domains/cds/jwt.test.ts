/**
 * CDS client JWT verification through the real app (GET /cds-services): ES384 and RS384 keys generated here by
 * jose, inline JWKS and an allow-listed `jku` served over HTTP; wrong aud / iss, expired, replayed jti, unknown
 * kid, a different key, alg none and HMAC are rejected with 401 and a message naming the failed check.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { loadConfig } from '../../core/config.ts';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { discoveryProblems } from './schema.ts';

const BASE = 'https://cds.example.org';
const AUD = `${BASE}/cds-services`;

let t: TestApp;
let open: TestApp;
let jwksServer: Server;
let jwksUrl: string;
const keys: Record<string, { priv: CryptoKey; pub: JWK }> = {};

async function pair(alg: 'ES384' | 'RS384', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  keys[kid] = { priv: privateKey, pub: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

interface TokenOptions {
  alg?: string;
  kid?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  jti?: string;
  jku?: string;
  signWith?: string;
}

async function token(o: TokenOptions = {}): Promise<string> {
  const kid = o.kid ?? 'es-1';
  const now = Math.floor(Date.now() / 1000);
  const header: Record<string, string> = { alg: o.alg ?? (kid.startsWith('rs') ? 'RS384' : 'ES384'), typ: 'JWT', kid };
  if (o.jku) header.jku = o.jku;
  return new SignJWT({ jti: o.jti ?? randomUUID() })
    .setProtectedHeader(header as { alg: string })
    .setIssuer(o.iss ?? 'https://ehr.example.org')
    .setAudience(o.aud ?? AUD)
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 300)
    .sign(keys[o.signWith ?? kid]!.priv);
}

function b64(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

async function discover(app: TestApp, jwt?: string) {
  return app.app.inject({ method: 'GET', url: '/cds-services', headers: jwt ? { authorization: `Bearer ${jwt}` } : {} });
}

function diagnostics(res: { json(): unknown }): string {
  const oo = res.json() as { resourceType: string; issue: { diagnostics: string; details: { coding: { code: string }[] } }[] };
  expect(oo.resourceType).toBe('OperationOutcome');
  return `${oo.issue[0]!.details.coding[0]!.code}: ${oo.issue[0]!.diagnostics}`;
}

beforeAll(async () => {
  await pair('ES384', 'es-1');
  await pair('RS384', 'rs-1');
  await pair('ES384', 'jku-1');
  await pair('ES384', 'other'); // a key no client has
  jwksServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [keys['jku-1']!.pub] }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  t = await createTestApp({
    cdsPublicUrl: BASE,
    cdsClients: [
      { iss: 'https://ehr.example.org', jwks: { keys: [keys['es-1']!.pub, keys['rs-1']!.pub] } },
      { iss: 'https://sandbox.example.org', jku: [jwksUrl] },
    ],
  }, { worker: false });
  open = await createTestApp({}, { worker: false });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await open?.close();
  await new Promise((r) => jwksServer?.close(r));
});

describe('CDS client JWT', () => {
  it('is required when clients are configured, and optional when none are', async () => {
    const res = await discover(t);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(diagnostics(res)).toMatch(/^CDS_JWT_REQUIRED: Send Authorization: Bearer <JWT>/);
    const free = await discover(open);
    expect(free.statusCode).toBe(200);
    expect(discoveryProblems(free.json())).toEqual([]);
  });

  it('accepts ES384 and RS384 tokens signed with the client keys (inline JWKS)', async () => {
    for (const kid of ['es-1', 'rs-1']) {
      const res = await discover(t, await token({ kid }));
      expect(res.statusCode, res.body).toBe(200);
      expect(discoveryProblems(res.json())).toEqual([]);
    }
  });

  it('fetches keys from an allow-listed jku and rejects a jku that is not allow-listed', async () => {
    const ok = await discover(t, await token({ kid: 'jku-1', iss: 'https://sandbox.example.org', jku: jwksUrl }));
    expect(ok.statusCode, ok.body).toBe(200);
    const bad = await discover(t, await token({ kid: 'jku-1', iss: 'https://sandbox.example.org', jku: 'http://127.0.0.1:9/evil.json' }));
    expect(bad.statusCode).toBe(401);
    expect(diagnostics(bad)).toMatch(/CDS_JWT_INVALID: .*jku header http:\/\/127\.0\.0\.1:9\/evil\.json is not allow-listed/);
    const other = await discover(t, await token({ kid: 'jku-1', iss: 'https://ehr.example.org', jku: jwksUrl }));
    expect(diagnostics(other)).toMatch(/not allow-listed for issuer https:\/\/ehr\.example\.org/);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['wrong aud', () => token({ aud: `${BASE}/cds-services/order-sign-crd` }), /aud "https:\/\/cds\.example\.org\/cds-services\/order-sign-crd" is not the URL called \(https:\/\/cds\.example\.org\/cds-services\)/],
    ['unknown iss', () => token({ iss: 'https://stranger.example.org' }), /issuer https:\/\/stranger\.example\.org is not a registered CDS client/],
    ['expired', () => token({ iat: now() - 900, exp: now() - 600 }), /expired|iat/],
    ['unknown kid', () => token({ kid: 'other' }), /no key with kid other/],
    ['a key of another party under a known kid', () => token({ kid: 'es-1', signWith: 'other' }), /signature does not verify/],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT', kid: 'es-1' })}.${b64({ iss: 'https://ehr.example.org', aud: AUD, exp: now() + 60, iat: now(), jti: randomUUID() })}.`, /alg "none" is not allowed/],
    ['HMAC', async () => `${b64({ alg: 'HS256', typ: 'JWT', kid: 'es-1' })}.${b64({ iss: 'https://ehr.example.org', aud: AUD, exp: now() + 60, iat: now(), jti: randomUUID() })}.c2ln`, /alg "HS256" is not allowed/],
    ['no kid', async () => new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES384', typ: 'JWT' }).setIssuer('https://ehr.example.org').setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(keys['es-1']!.priv), /no kid/],
    ['no jti', async () => new SignJWT({}).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'es-1' }).setIssuer('https://ehr.example.org').setAudience(AUD).setIssuedAt().setExpirationTime('5m').sign(keys['es-1']!.priv), /jti/],
    ['not a JWT', async () => 'not.a.jwt', /not a well-formed signed JWT/],
  ];
  it.each(cases)('rejects %s with 401 and says why', async (_name, make, message) => {
    const res = await discover(t, await make());
    expect(res.statusCode, res.body).toBe(401);
    expect(diagnostics(res)).toMatch(/^CDS_JWT_INVALID: The CDS client JWT was rejected: /);
    expect(diagnostics(res)).toMatch(message);
  });

  it('says what is wrong with iat: too old (with the allowed age and skew) or in the future', async () => {
    const old = await discover(t, await token({ iat: now() - 900, exp: now() + 60 }));
    expect(old.statusCode).toBe(401);
    expect(diagnostics(old)).toMatch(/iat is too old: the token was issued 9\d\d s ago and must be at most 600 s old, with 60 s of clock skew allowed/);
    expect(diagnostics(old)).not.toMatch(/exp is in the past/);
    const future = await discover(t, await token({ iat: now() + 600, exp: now() + 900 }));
    expect(diagnostics(future)).toMatch(/iat is (5\d\d|600) s in the future \(more than the 60 s of clock skew allowed\)/);
  });

  it('rejects a replayed jti (stored in the database)', async () => {
    const jwt = await token({ jti: 'once-only' });
    expect((await discover(t, jwt)).statusCode).toBe(200);
    const again = await discover(t, jwt);
    expect(again.statusCode).toBe(401);
    expect(diagnostics(again)).toMatch(/^CDS_JWT_REPLAYED: .*jti once-only from https:\/\/ehr\.example\.org was already used/);
    const rows = await t.ctx.db.selectFrom('cds_jwt_ids').selectAll().where('jti', '=', 'once-only').execute();
    expect(rows).toHaveLength(1);
  });

  it('checks aud against the service URL on hook calls and feedback', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', headers: { authorization: `Bearer ${await token()}` }, payload: {} });
    expect(wrong.statusCode).toBe(401);
    expect(diagnostics(wrong)).toMatch(/is not the URL called \(https:\/\/cds\.example\.org\/cds-services\/order-sign-crd\)/);
    const right = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', headers: { authorization: `Bearer ${await token({ aud: `${BASE}/cds-services/order-sign-crd` })}` }, payload: {} });
    expect(right.statusCode).toBe(400); // past the JWT: the empty body is the problem now
    expect(diagnostics(right)).toMatch(/^CDS_REQUEST_INVALID/);
    const http = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', headers: { authorization: `Bearer ${await token({ aud: `${BASE}/cds-services/order-sign-crd` })}` }, payload: { hook: 'order-sign', hookInstance: 'h1', fhirServer: 'http://fhir.example.org/r4', context: {} } });
    expect(diagnostics(http)).toMatch(/^FHIR_SERVER_NOT_ALLOWED: fhirServer http:\/\/fhir\.example\.org must use https/);
    // Loopback is no exception any more (it was): only origins in SAGEBRUSH_CDS_FHIR_ALLOW may use http.
    const loop = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', headers: { authorization: `Bearer ${await token({ aud: `${BASE}/cds-services/order-sign-crd` })}` }, payload: { hook: 'order-sign', hookInstance: 'h2', fhirServer: 'http://127.0.0.1:5/r4', context: {} } });
    expect(diagnostics(loop)).toMatch(/^FHIR_SERVER_NOT_ALLOWED: fhirServer http:\/\/127\.0\.0\.1:5 must use https/);
    const fb = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd/feedback', headers: { authorization: `Bearer ${await token({ aud: `${BASE}/cds-services/order-sign-crd/feedback` })}` }, payload: { feedback: [{ card: 'c1', outcome: 'overridden', outcomeTimestamp: '2026-01-01T00:00:00Z' }] } });
    expect(fb.statusCode, fb.body).toBe(200);
  });
});

describe('CDS configuration', () => {
  it('reads clients, CORS origins and the JWT switch from the environment and rejects clients without keys', () => {
    const c = loadConfig({ env: { SAGEBRUSH_CDS_CLIENTS: '[{"iss":"https://ehr.example.org","jwksUrl":"https://ehr.example.org/jwks.json"}]', SAGEBRUSH_CDS_CORS_ORIGINS: 'https://a.example.org, https://b.example.org', SAGEBRUSH_CDS_REQUIRE_JWT: 'false' }, overrides: { dataDir: '/tmp/sb-cds-config' } });
    expect(c.cdsClients[0]).toMatchObject({ iss: 'https://ehr.example.org', algorithms: ['ES384', 'RS384'], jku: [] });
    expect(c.cdsCorsOrigins).toEqual(['https://a.example.org', 'https://b.example.org']);
    expect(c.cdsRequireJwt).toBe(false);
    expect(() => loadConfig({ env: { SAGEBRUSH_CDS_CLIENTS: '[{"iss":"x"}]' }, overrides: { dataDir: '/tmp/sb-cds-config' } })).toThrow(/cdsClients\.0 \(SAGEBRUSH_CDS_CLIENTS\): a CDS client needs jwksUrl, jku or jwks/);
    expect(() => loadConfig({ env: { SAGEBRUSH_CDS_CORS_ORIGINS: 'https://a.example.org/path' }, overrides: { dataDir: '/tmp/sb-cds-config' } })).toThrow(/no path/);
  });
});
