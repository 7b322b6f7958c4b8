/**
 * Who may call the CDS hooks, and what a hook request may make this server contact, through the real app:
 * with API tokens set, an anonymous hook call is 401 (a token or a registered client's JWT gets 200); a
 * `fhirServer` on loopback / link-local / metadata / private addresses or with another scheme is refused
 * before any connection (a recording server on 127.0.0.1 receives nothing); an allow-listed http server is
 * read but its error bodies are not passed on; a patient id that is not a FHIR id is refused. Requests are
 * shaped like the Da Vinci reference client's (its own prefetch keys), so no shared data is needed.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { SAMPLE_ORDERS } from './samples.ts';
import { responseProblems } from './schema.ts';
import { davinciRequest, RI_COVERAGE, RI_PATIENT } from './testing/davinci.ts';

const TOKEN = 'cds-security-test-token-0123456789';
const BASE = 'https://cds.example.org';
const AMOX = SAMPLE_ORDERS.find((s) => s.id === 'amoxicillin')!.resource;
const order = { ...AMOX, subject: { reference: `Patient/${RI_PATIENT.id}` } } as Resource;
const request = (extra: Record<string, unknown> = {}) => ({ ...davinciRequest({ patient: RI_PATIENT, coverage: RI_COVERAGE, order }), ...extra });

let tokensOnly: TestApp;
let withClients: TestApp;
let open: TestApp;
let key: CryptoKey;
let recorder: Server;
let recorderOrigin: string;
const hits: string[] = [];

function outcome(res: LightMyRequestResponse): string {
  const oo = res.json<{ resourceType: string; issue: Array<{ diagnostics: string; details?: { coding?: Array<{ code: string }> } }> }>();
  expect(oo.resourceType).toBe('OperationOutcome');
  return `${oo.issue[0]!.details?.coding?.[0]?.code}: ${oo.issue.map((i) => i.diagnostics).join(' | ')}`;
}

const post = (t: TestApp, payload: unknown, headers: Record<string, string> = {}, id = 'order-sign-crd') => t.app.inject({ method: 'POST', url: `/cds-services/${id}`, payload: payload as object, headers });

beforeAll(async () => {
  const pair = await generateKeyPair('ES384', { extractable: true });
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  // A "FHIR server" on 127.0.0.1 that records every request and answers errors with internal-looking text.
  recorder = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(500, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: 'ORA-00942 at db-internal-7.corp:1521 secret=hunter2' }] }));
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  recorderOrigin = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  tokensOnly = await createTestApp({ apiTokens: [TOKEN], cdsEmbeddedFhir: false }, { worker: false });
  withClients = await createTestApp({ apiTokens: [TOKEN], cdsPublicUrl: BASE, cdsEmbeddedFhir: false, cdsFhirServerAllow: [recorderOrigin], cdsClients: [{ iss: 'https://ehr.example.org', jwks: { keys: [jwk] } }] }, { worker: false });
  open = await createTestApp({ cdsEmbeddedFhir: false }, { worker: false });
}, 60_000);

afterAll(async () => {
  await tokensOnly?.close();
  await withClients?.close();
  await open?.close();
  await new Promise((r) => recorder?.close(r));
});

beforeEach(() => {
  hits.length = 0;
});

async function jwt(aud: string): Promise<string> {
  return new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: 'k1' }).setIssuer('https://ehr.example.org').setAudience(aud).setIssuedAt().setExpirationTime('5m').sign(key);
}

describe('who may call the hooks', () => {
  it('with API tokens set and no CDS clients: anonymous → 401, no patient data; an API token → 200', async () => {
    const anon = await post(tokensOnly, request());
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer');
    expect(outcome(anon)).toMatch(/^UNAUTHORIZED: The CDS services need Authorization: Bearer <API token>/);
    expect(anon.body).not.toMatch(/systemActions|coverage-information|Sanchez/);
    const wrong = await post(tokensOnly, request(), { authorization: 'Bearer not-the-token-0123456789' });
    expect(wrong.statusCode).toBe(401);
    const fb = await tokensOnly.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd/feedback', payload: { feedback: [{ card: 'c1', outcome: 'overridden', outcomeTimestamp: '2026-01-01T00:00:00Z' }] } });
    expect(fb.statusCode).toBe(401);
    const ok = await post(tokensOnly, request(), { authorization: `Bearer ${TOKEN}` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(responseProblems(ok.json(), { crd: true })).toEqual([]);
    // Discovery holds no patient data and stays open.
    expect((await tokensOnly.app.inject({ method: 'GET', url: '/cds-services' })).statusCode).toBe(200);
  });

  it('with CDS clients registered: a client JWT → 200, an API token → 200, anonymous → 401', async () => {
    const url = `${BASE}/cds-services/order-sign-crd`;
    expect((await post(withClients, request(), { authorization: `Bearer ${await jwt(url)}` })).statusCode).toBe(200);
    expect((await post(withClients, request(), { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    const anon = await post(withClients, request());
    expect(anon.statusCode).toBe(401);
    expect(outcome(anon)).toMatch(/^CDS_JWT_REQUIRED/);
  });

  it('with neither tokens nor clients (local development) the hooks stay open', async () => {
    const res = await post(open, request());
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('what a hook request may make the server contact (fhirServer)', () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const bare = () => {
    const r = request();
    delete r.prefetch;
    return r;
  };

  it('refuses link-local, metadata, private and loopback servers without connecting', async () => {
    for (const fhirServer of ['http://169.254.169.254/x', 'https://169.254.169.254/latest', 'https://[fd00:ec2::254]/x', 'https://10.0.0.8/fhir', 'https://192.168.1.20/fhir', 'https://[::ffff:127.0.0.1]/fhir', 'https://metadata.google.internal/x', `https://127.0.0.1:${new URL(recorderOrigin).port}/fhir`, 'http://localhost/fhir']) {
      const res = await post(tokensOnly, { ...bare(), fhirServer }, auth);
      expect(res.statusCode, fhirServer).toBe(400);
      expect(outcome(res)).toMatch(/^FHIR_SERVER_NOT_ALLOWED: fhirServer /);
    }
    // http to the recorder is refused too unless its origin is allow-listed: nothing reached it.
    const http = await post(tokensOnly, { ...bare(), fhirServer: `${recorderOrigin}/fhir` }, auth);
    expect(outcome(http)).toMatch(/must use https \(http is allowed only for origins in SAGEBRUSH_CDS_FHIR_ALLOW\)/);
    expect(hits).toEqual([]);
  });

  it('names fhirServer and the scheme for file: and data: URLs', async () => {
    const file = await post(tokensOnly, { ...bare(), fhirServer: 'file:///etc/passwd' }, auth);
    expect(file.statusCode).toBe(400);
    expect(outcome(file)).toMatch(/^FHIR_SERVER_NOT_ALLOWED: fhirServer uses the file: scheme; only https: FHIR servers can be read\./);
    const data = await post(tokensOnly, { ...bare(), fhirServer: 'data:application/fhir+json,{"resourceType":"Patient"}' }, auth);
    expect(outcome(data)).toMatch(/fhirServer uses the data: scheme/);
  });

  it('reads an allow-listed http server but never passes on its error body', async () => {
    const url = `${BASE}/cds-services/order-sign-crd`;
    const res = await post(withClients, { ...bare(), fhirServer: `${recorderOrigin}/fhir` }, { authorization: `Bearer ${await jwt(url)}` });
    expect(hits.length).toBeGreaterThan(0);
    expect(res.statusCode).toBe(412);
    expect(outcome(res)).toMatch(/fetching it from fhirServer failed: FHIR server http:\/\/127\.0\.0\.1:\d+\/fhir failed .*: HTTP 500/);
    expect(res.body).not.toMatch(/ORA-00942|hunter2|db-internal/);
  });

  it('refuses a patient id that is not a FHIR id, naming the field', async () => {
    const r = request();
    const res = await post(tokensOnly, { ...r, context: { ...r.context, patientId: '../../Patient/other' } }, auth);
    expect(res.statusCode).toBe(400);
    expect(outcome(res)).toMatch(/^CDS_REQUEST_INVALID: The order-sign context is invalid: context\.patientId: not a FHIR id/);
    const tr = await tokensOnly.app.inject({ method: 'POST', url: '/api/v1/cds/try', headers: auth, payload: { hook: 'order-sign', patientId: '../../Patient/other' } });
    expect(tr.statusCode).toBe(400);
  });
});

describe('fhirServer values that are not http(s) URLs at all', () => {
  it('answers FHIR_SERVER_NOT_ALLOWED naming fhirServer for relative, non-URL and exotic-scheme values', async () => {
    const r = request();
    delete r.prefetch;
    for (const [fhirServer, message] of [['/fhir/R4', /fhirServer is not an absolute URL/], ['not a url at all', /fhirServer is not an absolute URL/], ['gopher://127.0.0.1:70/_GET', /uses the gopher: scheme/], ['ws://127.0.0.1:1/fhir', /uses the ws: scheme/], ['https://user:pass@fhir.example.org/r4', /must not carry credentials/]] as const) {
      const res = await post(tokensOnly, { ...r, fhirServer }, { authorization: `Bearer ${TOKEN}` });
      expect(res.statusCode, fhirServer).toBe(400);
      expect(outcome(res)).toMatch(/^FHIR_SERVER_NOT_ALLOWED: /);
      expect(outcome(res)).toMatch(message);
    }
    expect(hits).toEqual([]);
  });
});
