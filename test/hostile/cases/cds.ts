/**
 * CDS Hooks requests: who may call (API tokens set: a token or a registered client's JWT, never anonymous; bad
 * JWTs of every kind), what a request may make the server contact (`fhirServer` SSRF rules: other schemes,
 * plain http, loopback, link-local, metadata and private addresses are refused with FHIR_SERVER_NOT_ALLOWED
 * before any connection — the loopback canary counts connections and the net guard refuses anything else; an
 * allow-listed server's error body is not reflected), patient ids, malformed context, unknown hooks, prefetch of
 * the wrong types.
 */
import { err, ok, type HostileCase, type Outcome } from '../case.ts';
import type { Env, Reply, Served } from '../harness.ts';
import { CANARY_SECRET, PATIENT, TOKEN } from '../harness.ts';

type HookBody = Record<string, unknown> & { context: Record<string, unknown>; prefetch?: Record<string, unknown> };

/** A valid order-sign request for the control patient, built by the service itself (prefetch from the store, or none). */
async function hook(env: Env, prefetch = true, hookName = 'order-sign'): Promise<HookBody> {
  const { request } = await env.main.ctx.services.cds.buildRequest({ hook: hookName, patientId: PATIENT, prefetch });
  return JSON.parse(JSON.stringify(request)) as HookBody;
}

function post(env: Env, on: Served, body: unknown, headers: Record<string, string> = {}, id = 'order-sign-crd'): Promise<Reply> {
  return env.raw('POST', `/cds-services/${id}`, { 'content-type': 'application/json', ...headers }, typeof body === 'string' ? body : JSON.stringify(body), on);
}

const token = { authorization: `Bearer ${TOKEN}` };

function cds(name: string, send: (env: Env) => Promise<Reply>, expect: Outcome, check?: HostileCase['check']): HostileCase {
  return { group: 'cds', name, send, expect, ...(check ? { check } : {}) };
}

/** Nothing of the control patient's coverage decision leaks in a refusal. */
const noDecision = (r: Reply) => (/coverage-information|systemActions|Acme/.test(r.body) ? ['the refusal carries coverage data'] : []);

// --- fhirServer SSRF -------------------------------------------------------------------------------------------
/** URLs that must be refused before any connection (FHIR_SERVER_NOT_ALLOWED). `{p}` is the never-allowed canary's port. */
const SSRF: Array<[string, string]> = [
  ['file: URL', 'file:///etc/passwd'],
  ['data: URL', 'data:application/fhir+json,{"resourceType":"Patient"}'],
  ['gopher: URL', 'gopher://127.0.0.1:{p}/_GET%20/'],
  ['ftp: URL', 'ftp://127.0.0.1:{p}/fhir'],
  ['javascript: URL', 'javascript:alert(1)'],
  ['dict: URL', 'dict://127.0.0.1:{p}/info'],
  ['ws: URL', 'ws://127.0.0.1:{p}/fhir'],
  ['http to the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
  ['https to the cloud metadata address', 'https://169.254.169.254/x'],
  ['http to a metadata host name', 'http://metadata.google.internal/computeMetadata/v1/'],
  ['https to a metadata host name', 'https://metadata.google.internal/computeMetadata/v1/'],
  ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/latest/'],
  ['http to 127.0.0.1 (not allow-listed)', 'http://127.0.0.1:{p}/fhir'],
  ['https to 127.0.0.1', 'https://127.0.0.1:{p}/fhir'],
  ['https to 127.0.0.2', 'https://127.0.0.2:{p}/fhir'],
  ['http to localhost', 'http://localhost:{p}/fhir'],
  ['https to localhost', 'https://localhost:{p}/fhir'],
  ['https to a *.localhost name', 'https://fhir.localhost:{p}/fhir'],
  ['http to [::1]', 'http://[::1]:{p}/fhir'],
  ['https to [::1]', 'https://[::1]:{p}/fhir'],
  ['https to IPv4-mapped [::ffff:127.0.0.1]', 'https://[::ffff:127.0.0.1]:{p}/fhir'],
  ['https to IPv4-mapped hex [::ffff:7f00:1]', 'https://[::ffff:7f00:1]:{p}/fhir'],
  ['https to 0.0.0.0', 'https://0.0.0.0:{p}/fhir'],
  ['https to decimal 2130706433', 'https://2130706433:{p}/fhir'],
  ['https to hex 0x7f000001', 'https://0x7f000001:{p}/fhir'],
  ['https to octal 0177.0.0.1', 'https://0177.0.0.1:{p}/fhir'],
  ['https to short 127.1', 'https://127.1:{p}/fhir'],
  ['http to 10.0.0.1', 'http://10.0.0.1/fhir'],
  ['https to 10.0.0.1', 'https://10.0.0.1/fhir'],
  ['https to 172.16.0.1', 'https://172.16.0.1/fhir'],
  ['https to 192.168.1.1', 'https://192.168.1.1/fhir'],
  ['https to CGNAT 100.64.0.1', 'https://100.64.0.1/fhir'],
  ['https to link-local 169.254.1.1', 'https://169.254.1.1/fhir'],
  ['https to IPv6 unique-local [fd00::1]', 'https://[fd00::1]/fhir'],
  ['https to IPv6 link-local [fe80::1]', 'https://[fe80::1]/fhir'],
  ['https to [::]', 'https://[::]/fhir'],
  ['credentials in the URL', 'https://user:pass@fhir.example.org/fhir'],
  ['http to a public name (https only)', 'http://fhir.example.org/R4'],
  ['a host name that resolves to loopback', 'https://rebind.hostile.test:{p}/fhir'],
];

/** Refused with FHIR_SERVER_NOT_ALLOWED, and this case made no connection (net guard) and reached no canary. */
function ssrfCase([label, url]: [string, string]): HostileCase {
  let before = { blocked: 0, canary: 0, allowed: 0 };
  return cds(
    `fhirServer: ${label}`,
    async (env) => {
      before = { blocked: env.guard.blocked.length, canary: env.canary.connections, allowed: env.allowed.connections };
      return post(env, env.main, { ...(await hook(env, false)), fhirServer: url.replace('{p}', String(env.canary.port)), fhirAuthorization: { access_token: 'ehr-secret-token', token_type: 'Bearer', expires_in: 60, scope: 'patient/*.read', subject: 'x' } }, token);
    },
    err(400, 'FHIR_SERVER_NOT_ALLOWED'),
    (r, env) => [
      ...noDecision(r),
      ...(r.body.includes('ehr-secret-token') ? ['the access token was reflected'] : []),
      ...(env.guard.blocked.length > before.blocked ? [`a connection was attempted: ${env.guard.blocked.slice(before.blocked).join(', ')}`] : []),
      ...(env.canary.connections + env.allowed.connections > before.canary + before.allowed ? ['a loopback server was contacted'] : []),
    ],
  );
}

// --- JWTs (the app with a registered client) --------------------------------------------------------------------
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const J = err(401, 'CDS_JWT_INVALID');

function jwtCase(name: string, make: (env: Env) => Promise<string>, expect: Outcome = J, check?: HostileCase['check']): HostileCase {
  return cds(`JWT: ${name}`, async (env) => post(env, env.cds, await hook(env), { authorization: `Bearer ${await make(env)}` }), expect, check);
}

export const cdsCases: HostileCase[] = [
  // who may call (API tokens set, no CDS clients registered)
  cds('anonymous order-sign with API tokens set', async (env) => post(env, env.main, await hook(env)), err(401, 'UNAUTHORIZED'), noDecision),
  cds('anonymous order-select with API tokens set', async (env) => post(env, env.main, await hook(env, true, 'order-select'), {}, 'order-select-crd'), err(401, 'UNAUTHORIZED'), noDecision),
  cds('anonymous patient-view with API tokens set', async (env) => post(env, env.main, await hook(env, true, 'patient-view'), {}, 'patient-view-crd'), err(401, 'UNAUTHORIZED'), noDecision),
  cds('anonymous feedback with API tokens set', (env) => env.raw('POST', '/cds-services/order-sign-crd/feedback', { 'content-type': 'application/json' }, JSON.stringify({ feedback: [] })), err(401, 'UNAUTHORIZED')),
  cds('a wrong API token on a hook', async (env) => post(env, env.main, await hook(env), { authorization: 'Bearer wrong-token-0123456789abc' }), err(401, 'UNAUTHORIZED'), noDecision),
  cds('an unsigned JWT where no client is registered', async (env) => post(env, env.main, await hook(env), { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'x', aud: 'y', exp: now() + 60 })}.` }), err(401, 'UNAUTHORIZED'), noDecision),
  cds('the API token on a hook (control)', async (env) => post(env, env.main, await hook(env), token), ok(200)),
  cds('CORS preflight from an unlisted origin', (env) => env.raw('OPTIONS', '/cds-services/order-sign-crd', { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' }), err(403, 'CDS_CORS_ORIGIN_DENIED')),
  cds('CORS preflight from Origin: null', (env) => env.raw('OPTIONS', '/cds-services/order-sign-crd', { origin: 'null', 'access-control-request-method': 'POST' }), err(403, 'CDS_CORS_ORIGIN_DENIED')),
  cds('discovery from an unlisted origin gets no CORS header', (env) => env.raw('GET', '/cds-services', { origin: 'https://evil.example.com' }), ok(200), (r) => (r.headers['access-control-allow-origin'] ? [`access-control-allow-origin: ${String(r.headers['access-control-allow-origin'])}`] : [])),
  cds('the API never answers CORS', (env) => env.raw('GET', '/api/v1/cds/calls', { ...token, origin: 'https://evil.example.com' }), ok(200), (r) => (r.headers['access-control-allow-origin'] || r.headers['access-control-allow-credentials'] ? ['CORS headers on an API route'] : [])),
  cds('discovery is open (no patient data)', (env) => env.raw('GET', '/cds-services'), ok(200)),
  // who may call (a registered client: JWTs)
  cds('anonymous order-sign with a registered client', async (env) => post(env, env.cds, await hook(env)), err(401, 'CDS_JWT_REQUIRED'), noDecision),
  cds('anonymous discovery with a registered client', (env) => env.raw('GET', '/cds-services', {}, undefined, env.cds), err(401, 'CDS_JWT_REQUIRED')),
  jwtCase('a valid client JWT (control)', (env) => env.jwt(), ok(200)),
  cds('the API token also works with a registered client', async (env) => post(env, env.cds, await hook(env), token), ok(200)),
  jwtCase('alg none', async () => `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://ehr.hostile.test', aud: 'x', exp: now() + 60, iat: now(), jti: 'n1' })}.`),
  jwtCase('alg HS256 signed with the public key', async () => `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://ehr.hostile.test', exp: now() + 60, iat: now(), jti: 'h1' })}.c2lnbmF0dXJl`),
  jwtCase('signed with another key', (env) => env.jwt({ signWith: 'other' })),
  jwtCase('an unknown issuer', (env) => env.jwt({ iss: 'https://evil.example.org' })),
  jwtCase('aud for another service', (env) => env.jwt({ aud: `${env.cds.base}/cds-services/patient-view-crd` })),
  jwtCase('aud on another host', (env) => env.jwt({ aud: 'https://evil.example.org/cds-services/order-sign-crd' })),
  jwtCase('expired', (env) => env.jwt({ exp: now() - 3600, iat: now() - 3900 })),
  jwtCase('iat too old (a message about iat, not exp)', (env) => env.jwt({ iat: now() - 3600, exp: now() + 300 }), J, (r) => (/exp is in the past/.test(r.body) ? ['the message says exp is in the past for a token whose iat is too old'] : [])),
  jwtCase('iat in the future', (env) => env.jwt({ iat: now() + 3600, exp: now() + 7200 })),
  jwtCase('an unknown kid', (env) => env.jwt({ kid: 'nope' })),
  jwtCase('garbage', async () => 'not.a.jwt'),
  jwtCase('three empty parts', async () => '..'),
  jwtCase('a header that is not JSON', async () => `${Buffer.from('{not json').toString('base64url')}.${b64({})}.x`),
  jwtCase('a 10 KB token', async () => `${b64({ alg: 'ES384', typ: 'JWT', kid: 'k1' })}.${b64({ pad: 'x'.repeat(10_000) })}.sig`),
  jwtCase('a jku header pointing at the metadata address is not fetched', async (env) => {
    const t = await env.jwt();
    const [, p, s] = t.split('.');
    return `${b64({ alg: 'ES384', typ: 'JWT', kid: 'k1', jku: 'http://169.254.169.254/jwks.json' })}.${p}.${s}`;
  }),
  jwtCase('a jku header pointing at the loopback canary is not fetched', async (env) => {
    const t = await env.jwt();
    const [, p, s] = t.split('.');
    return `${b64({ alg: 'ES384', typ: 'JWT', kid: 'k1', jku: `http://127.0.0.1:${env.canary.port}/jwks.json` })}.${p}.${s}`;
  }),
  cds('JWT: a replayed jti', async (env) => {
    const t = await env.jwt({ jti: `replay-${Date.now()}` });
    await post(env, env.cds, await hook(env), { authorization: `Bearer ${t}` });
    return post(env, env.cds, await hook(env), { authorization: `Bearer ${t}` });
  }, err(401, 'CDS_JWT_REPLAYED')),
  cds('JWT: a 200 KB token gets a problem+json 431', async (env) => post(env, env.cds, await hook(env), { authorization: `Bearer ${'a'.repeat(200 * 1024)}` }), err(431, 'HEADERS_TOO_LARGE'), (r) => (/json/.test(String(r.headers['content-type'] ?? '')) && r.body.includes('431') ? [] : [`bare 431: ${r.headers['content-type'] ?? 'no content-type'}`])),
  // fhirServer
  ...SSRF.map(ssrfCase),
  cds('fhirServer: an allow-listed server is read, but its error body is not reflected', async (env) => post(env, env.main, { ...(await hook(env, false)), fhirServer: `http://127.0.0.1:${env.allowed.port}/fhir` }, token), err(412, 'CDS_PREFETCH_UNAVAILABLE'), (r, env) => [
    ...(r.body.includes(CANARY_SECRET) ? ['the remote error body was reflected'] : []),
    ...(env.allowed.connections > 0 ? [] : ['the allow-listed server was never contacted']),
  ]),
  cds('fhirServer: a relative URL is not a URL', async (env) => post(env, env.main, { ...(await hook(env, false)), fhirServer: '/fhir/R4' }, token), err(400, 'FHIR_SERVER_NOT_ALLOWED')),
  cds('fhirServer: not a URL', async (env) => post(env, env.main, { ...(await hook(env, false)), fhirServer: 'not a url at all' }, token), err(400, 'FHIR_SERVER_NOT_ALLOWED')),
  // patient ids and context
  ...[['../../Patient/other', 'path traversal'], ['a/b', 'a slash'], ['x?_id=y', 'a query'], ["' OR 1=1 --", 'SQL'], ['p'.repeat(65), '65 characters'], ['', 'empty'], ['pät', 'non-ASCII'], ['%2e%2e', 'percent-encoded'], ['Patient/pat-ctl', 'a reference instead of an id'], ['pat ctl', 'a space']].map(([id, label]) =>
    cds(`patient id: ${label}`, async (env) => {
      const b = await hook(env, false);
      return post(env, env.main, { ...b, context: { ...b.context, patientId: id } }, token);
    }, err(400, 'CDS_REQUEST_INVALID'), noDecision),
  ),
  cds('patient id is a number', async (env) => {
    const b = await hook(env, false);
    return post(env, env.main, { ...b, context: { ...b.context, patientId: 42 } }, token);
  }, err(400, 'CDS_REQUEST_INVALID')),
  cds('no context', async (env) => {
    const { context: _c, ...b } = await hook(env);
    return post(env, env.main, b, token);
  }, err(400, 'CDS_REQUEST_INVALID')),
  cds('context is an array', async (env) => post(env, env.main, { ...(await hook(env)), context: [] }, token), err(400, 'CDS_REQUEST_INVALID')),
  cds('no hookInstance', async (env) => {
    const { hookInstance: _h, ...b } = await hook(env);
    return post(env, env.main, b, token);
  }, err(400, 'CDS_REQUEST_INVALID')),
  cds('draftOrders is not a Bundle', async (env) => {
    const b = await hook(env);
    return post(env, env.main, { ...b, context: { ...b.context, draftOrders: 'rm -rf /' } }, token);
  }, err(400, 'CDS_REQUEST_INVALID')),
  cds('a draft order nested 100,000 deep', async (env) => {
    const b = await hook(env);
    return post(env, env.main, JSON.stringify(b).replace('"resourceType":"MedicationRequest"', `"resourceType":"MedicationRequest","x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`), token);
  }, err(400, 'JSON_TOO_DEEP')),
  cds('fhirAuthorization without fhirServer', async (env) => post(env, env.main, { ...(await hook(env)), fhirAuthorization: { access_token: 'x', token_type: 'Bearer', expires_in: 60, scope: 'patient/*.read', subject: 'x' } }, token), err(400, 'CDS_REQUEST_INVALID')),
  cds('the hook of another service', async (env) => post(env, env.main, await hook(env), token, 'order-select-crd'), err(400, 'CDS_HOOK_MISMATCH')),
  cds('an unknown hook name in the body', async (env) => post(env, env.main, { ...(await hook(env)), hook: 'drop-tables' }, token), err(400, 'CDS_HOOK_MISMATCH')),
  cds('an unknown service', async (env) => post(env, env.main, await hook(env), token, 'no-such-service'), err(404, 'CDS_SERVICE_NOT_FOUND')),
  cds('a service id with ../', async (env) => post(env, env.main, await hook(env), token, '..%2F..%2Fapi%2Fv1%2Fdatasets'), err(404, 'CDS_SERVICE_NOT_FOUND')),
  cds('invalid JSON', (env) => post(env, env.main, '{"hook":', token), err(400, 'BAD_REQUEST')),
  cds('a JSON array body', (env) => post(env, env.main, '[]', token), err(400, 'CDS_REQUEST_INVALID')),
  cds('__proto__ in the body', async (env) => post(env, env.main, JSON.stringify(await hook(env)).replace(/^\{/, '{"__proto__":{"polluted":"yes"},'), token), err(400, 'JSON_FORBIDDEN_KEY'), () => (({} as Record<string, unknown>).polluted === undefined ? [] : ['Object.prototype was polluted'])),
  // prefetch of the wrong types
  cds('prefetch.patient is an Observation', async (env) => {
    const b = await hook(env);
    return post(env, env.main, { ...b, prefetch: { ...b.prefetch, patient: { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } } } }, token);
  }, ok(200)),
  cds('prefetch.coverage is a string', async (env) => {
    const b = await hook(env);
    return post(env, env.main, { ...b, prefetch: { ...b.prefetch, coverage: 'not a resource' } }, token);
  }, err(400, 'CDS_REQUEST_INVALID')),
  cds('prefetch is an array', async (env) => post(env, env.main, { ...(await hook(env)), prefetch: [] }, token), err(400, 'CDS_REQUEST_INVALID')),
  cds('prefetch holds another patient', async (env) => {
    const b = await hook(env);
    return post(env, env.main, { ...b, prefetch: { ...b.prefetch, patient: { resourceType: 'Patient', id: 'someone-else' } } }, token);
  }, ok(200), (r) => (r.body.includes('someone-else') ? ['the decision names the other patient'] : [])),
  cds('a 5,000-entry prefetch Bundle', async (env) => {
    const b = await hook(env);
    return post(env, env.main, { ...b, prefetch: { ...b.prefetch, conditions: { resourceType: 'Bundle', type: 'searchset', entry: Array.from({ length: 5000 }, (_, i) => ({ resource: { resourceType: 'Condition', id: `c${i}`, subject: { reference: `Patient/${PATIENT}` } } })) } } }, token);
  }, ok(200)),
  cds('feedback with a bad outcome', (env) => env.raw('POST', '/cds-services/order-sign-crd/feedback', { ...token, 'content-type': 'application/json' }, JSON.stringify({ feedback: [{ card: 'x', outcome: 'exploded', outcomeTimestamp: 'yesterday' }] })), err(400, 'CDS_REQUEST_INVALID')),
];

