/**
 * Bearer tokens (SAGEBRUSH_API_TOKENS): missing, wrong, empty, malformed, duplicated, in the wrong place
 * (query string, cookie, other headers), oversize headers; and the routes that stay open. Raw HTTP on
 * 127.0.0.1, so headers arrive exactly as sent (duplicates, 200 KB values).
 */
import { err, ok, type HostileCase, type Outcome } from '../case.ts';
import type { Reply } from '../harness.ts';
import { TOKEN } from '../harness.ts';

const U = err(401, 'UNAUTHORIZED');

function tok(name: string, headers: Record<string, string>, expect: Outcome, target = '/api/v1/datasets', method = 'GET', check?: HostileCase['check']): HostileCase {
  return { group: 'tokens', name, send: (env) => env.raw(method, target, headers), expect, ...(check ? { check } : {}) };
}

/** Oversize headers get a problem+json 431, not a bare one (issue 12 item 7). */
const problem431 = (r: Reply) => (/problem\+json/.test(String(r.headers['content-type'] ?? '')) && /"status":\s*431/.test(r.body) ? [] : [`431 without a problem+json body (content-type ${r.headers['content-type'] ?? 'none'}, body ${JSON.stringify(r.body.slice(0, 80))})`]);

const b64 = (s: string) => Buffer.from(s).toString('base64');

export const tokenCases: HostileCase[] = [
  tok('no Authorization header', {}, U),
  tok('a wrong token', { authorization: 'Bearer wrong-token-0123456789abc' }, U),
  tok('"Bearer " with an empty token', { authorization: 'Bearer ' }, U),
  tok('"Bearer" without a space or token', { authorization: 'Bearer' }, U),
  tok('the token without a scheme', { authorization: TOKEN }, U),
  tok('Basic auth carrying the token', { authorization: `Basic ${b64(`user:${TOKEN}`)}` }, U),
  tok('Basic auth with the token as user', { authorization: `Basic ${b64(`${TOKEN}:`)}` }, U),
  tok('Token scheme', { authorization: `Token ${TOKEN}` }, U),
  tok('the token with one character missing', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, U),
  tok('the token with one character added', { authorization: `Bearer ${TOKEN}x` }, U),
  tok('the token twice in one header', { authorization: `Bearer ${TOKEN} ${TOKEN}` }, U),
  tok('the token, a comma and another', { authorization: `Bearer ${TOKEN}, Bearer x` }, U),
  tok('the token upper-cased', { authorization: `Bearer ${TOKEN.toUpperCase()}` }, U),
  tok('the token percent-encoded', { authorization: `Bearer ${encodeURIComponent(TOKEN).replace(/-/g, '%2D')}` }, U),
  tok('the token base64-encoded', { authorization: `Bearer ${b64(TOKEN)}` }, U),
  tok('a JWT-looking token', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.' }, U),
  tok('non-ASCII token', { authorization: 'Bearer t\u00f6ken-0123456789abcdef' }, U),
  tok('lower-case scheme is accepted (schemes are case-insensitive)', { authorization: `bearer ${TOKEN}` }, ok(200)),
  tok('upper-case scheme is accepted', { authorization: `BEARER ${TOKEN}` }, ok(200)),
  tok('the valid token (control)', { authorization: `Bearer ${TOKEN}` }, ok(200)),
  tok('token in the query string is ignored', {}, U, `/api/v1/datasets?token=${TOKEN}`),
  tok('access_token in the query string is ignored', {}, U, `/api/v1/datasets?access_token=${TOKEN}`),
  tok('api_key in the query string is ignored', {}, U, `/api/v1/datasets?api_key=${TOKEN}`),
  tok('token in a cookie is ignored', { cookie: `token=${TOKEN}; authorization=Bearer%20${TOKEN}` }, U),
  tok('X-API-Key header is ignored', { 'x-api-key': TOKEN }, U),
  tok('X-Forwarded-Authorization is ignored', { 'x-forwarded-authorization': `Bearer ${TOKEN}` }, U),
  tok('Proxy-Authorization is ignored', { 'proxy-authorization': `Bearer ${TOKEN}` }, U),
  tok('X-Original-URL pointing at an open route', { 'x-original-url': '/healthz', 'x-rewrite-url': '/healthz' }, U),
  tok('X-Forwarded-For 127.0.0.1 grants nothing', { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' }, U),
  tok('an 8 KB wrong token', { authorization: `Bearer ${'a'.repeat(8 * 1024)}` }, U),
  tok('a 200 KB Authorization header: problem+json 431', { authorization: `Bearer ${'a'.repeat(200 * 1024)}` }, err(431, 'HEADERS_TOO_LARGE'), '/api/v1/datasets', 'GET', problem431),
  tok('200 KB of other headers: problem+json 431', { 'x-filler': 'b'.repeat(200 * 1024), authorization: `Bearer ${TOKEN}` }, err(431, 'HEADERS_TOO_LARGE'), '/api/v1/datasets', 'GET', problem431),
  tok('a 200 KB header on /healthz: problem+json 431', { 'x-filler': 'c'.repeat(200 * 1024) }, err(431, 'HEADERS_TOO_LARGE'), '/healthz', 'GET', problem431),
  // every method and a few routes without a token
  tok('DELETE a control dataset without a token', {}, U, '/api/v1/datasets/ctl-tickets', 'DELETE'),
  tok('DELETE a control dataset with a wrong token', { authorization: 'Bearer wrong-token-0123456789abc' }, U, '/api/v1/datasets/ctl-notes', 'DELETE'),
  tok('download a control file without a token', {}, U, '/api/v1/datasets/ctl-tickets/versions/1/file'),
  tok('upload without a token', { 'content-type': 'multipart/form-data; boundary=x' }, U, '/api/v1/datasets', 'POST'),
  tok('replace the rules policy without a token', { 'content-type': 'application/json' }, U, '/api/v1/rules/policy', 'PUT'),
  tok('the CDS audit log without a token', {}, U, '/api/v1/cds/calls'),
  tok('job events (SSE) without a token', {}, U, '/api/v1/events'),
  tok('model artifacts without a token', {}, U, '/api/v1/models/ctl-model/versions/1/artifacts/model.bin'),
  tok('OpenAI models without a token', {}, U, '/v1/models'),
  tok('OpenAI chat without a token', { 'content-type': 'application/json' }, U, '/v1/chat/completions', 'POST'),
  tok('FHIR Patient search without a token', {}, U, '/fhir/R4/Patient'),
  tok('FHIR Patient read without a token', {}, U, '/fhir/R4/Patient/pat-ctl'),
  tok('FHIR $everything without a token', {}, U, '/fhir/R4/Patient/pat-ctl/$everything'),
  tok('FHIR transaction without a token', { 'content-type': 'application/fhir+json' }, U, '/fhir/R4', 'POST'),
  tok('FHIR patients API without a token', {}, U, '/api/v1/fhir/patients'),
  tok('HEAD on an API route without a token', {}, { status: 401 }, '/api/v1/datasets', 'HEAD'),
  tok('X-HTTP-Method-Override: DELETE on a GET is ignored', { authorization: `Bearer ${TOKEN}`, 'x-http-method-override': 'DELETE', 'x-method-override': 'DELETE' }, ok(200), '/api/v1/datasets/ctl-notes'),
  tok('_method=DELETE in the query is ignored', { authorization: `Bearer ${TOKEN}` }, ok(200), '/api/v1/datasets/ctl-notes?_method=DELETE'),
  tok('an x-request-id with a path is replaced, not echoed', { authorization: `Bearer ${TOKEN}`, 'x-request-id': '../../etc/passwd' }, ok(200), '/api/v1/datasets', 'GET', (r) => (String(r.headers['x-request-id']).includes('/') ? [`echoed x-request-id ${String(r.headers['x-request-id'])}`] : [])),
  tok('an x-request-id of 10,000 characters is replaced', { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'r'.repeat(10_000) }, ok(200), '/api/v1/datasets', 'GET', (r) => (String(r.headers['x-request-id']).length <= 128 ? [] : ['echoed a 10,000-character x-request-id'])),
  // open routes stay open
  tok('/healthz is open', {}, ok(200), '/healthz'),
  tok('/api/openapi.json is open', {}, ok(200), '/api/openapi.json'),
  tok('FHIR metadata is open', {}, ok(200), '/fhir/R4/metadata'),
  tok('an unknown route without a token is 404, never 200', {}, err(404, 'ROUTE_NOT_FOUND'), '/api/v1/no-such-route'),
];
