/**
 * URL variants of issue 12 item 1 on a sample of token routes, sent without a token over raw HTTP (so the
 * request target arrives byte for byte): percent-encoded letters and slashes, doubled slashes, dot segments,
 * mixed case, trailing slashes, matrix parameters, absolute-form targets. None may reach a handler: the answer
 * is 401 (the route matched and needs a token) or 404 (no route), or 400 for a target that cannot be parsed.
 */
import { codeOf, json, type HostileCase, type Outcome } from '../case.ts';
import type { Env, Reply } from '../harness.ts';
import { TOKEN } from '../harness.ts';
import { rawBytes } from '../raw-http.ts';

const REFUSED: Outcome = { status: [400, 401, 404] };
const CODES = ['UNAUTHORIZED', 'ROUTE_NOT_FOUND', 'BAD_REQUEST', 'NOT_FOUND', 'FHIR_RESOURCE_TYPE_UNKNOWN'];

/** A documented code, or the FHIR router's own 404 OperationOutcome ("not-supported": no such interaction). */
function refusedProperly(r: Reply): string[] {
  const code = codeOf(r);
  if (code !== undefined) return CODES.includes(code) ? [] : [`refused with an undocumented code ${code}: ${r.body.slice(0, 160)}`];
  const oo = json<{ resourceType?: string; issue?: Array<{ code?: string }> }>(r);
  return r.status === 404 && oo?.resourceType === 'OperationOutcome' && oo.issue?.[0]?.code === 'not-supported' ? [] : [`refused without a documented code: ${r.status} ${r.body.slice(0, 160)}`];
}

/** Routes the variants are applied to: [method, path]. */
const ROUTES: Array<[string, string]> = [
  ['GET', '/api/v1/datasets'],
  ['GET', '/api/v1/datasets/ctl-tickets/versions/1/file'],
  ['DELETE', '/api/v1/datasets/ctl-notes'],
  ['GET', '/api/v1/cds/calls'],
  ['GET', '/fhir/R4/Patient/pat-ctl'],
  ['GET', '/v1/models'],
];

/** Each variant rewrites a path; the first segment is "api", "fhir" or "v1". */
const VARIANTS: Array<[string, (p: string) => string]> = [
  ['percent-encoded first letter', (p) => p.replace(/^\/(\w)/, (_, c: string) => `/%${c.charCodeAt(0).toString(16)}`)],
  ['percent-encoded upper-case hex', (p) => p.replace(/^\/(\w)/, (_, c: string) => `/%${c.charCodeAt(0).toString(16).toUpperCase()}`)],
  ['percent-encoded second segment', (p) => p.replace(/^\/(\w+)\/(\w)/, (_, a: string, c: string) => `/${a}/%${c.charCodeAt(0).toString(16)}`)],
  ['every letter percent-encoded', (p) => p.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)],
  ['double-encoded first letter', (p) => p.replace(/^\/(\w)/, (_, c: string) => `/%25${c.charCodeAt(0).toString(16)}`)],
  ['encoded slashes', (p) => `/${p.slice(1).replace(/\//g, '%2f')}`],
  ['doubled leading slash', (p) => `/${p}`],
  ['doubled inner slash', (p) => p.replace(/^(\/\w+)\//, '$1//')],
  ['dot segment /./', (p) => `/.${p}`],
  ['dot-dot segment /x/../', (p) => `/x/..${p}`],
  ['encoded dot-dot /x/%2e%2e/', (p) => `/x/%2e%2e${p}`],
  ['upper-case first segment', (p) => p.replace(/^\/(\w+)/, (_, a: string) => `/${a.toUpperCase()}`)],
  ['mixed-case path', (p) => p.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))],
  ['trailing slash', (p) => `${p}/`],
  ['matrix parameter ;x', (p) => p.replace(/^(\/\w+)/, '$1;x=1')],
  ['backslash separator', (p) => p.replace(/^(\/\w+)\//, '$1\\')],
];

function pathCase(method: string, path: string, variant: string, target: string, expect: Outcome = REFUSED): HostileCase {
  return { group: 'paths', name: `${method} ${path}: ${variant} (${target.length > 60 ? `${target.slice(0, 57)}…` : target})`, send: (env: Env) => env.raw(method, target), expect, check: refusedProperly };
}

const variantCases = ROUTES.flatMap(([method, path]) => VARIANTS.map(([v, f]) => pathCase(method, path, v, f(path))));

/** A whole request sent byte for byte (`{host}` is replaced); malformed framing must get a problem+json 400. */
function wire(name: string, request: string, expect: Outcome, method = 'GET'): HostileCase {
  return {
    group: 'paths',
    name: `request framing: ${name}`,
    send: (env) => rawBytes(env.main.base, Buffer.from(request.replace('{host}', new URL(env.main.base).host).replace('{token}', TOKEN), 'latin1'), method),
    expect,
  };
}

const BAD: Outcome = { status: 400, code: 'BAD_REQUEST' };

export const pathCases: HostileCase[] = [
  ...variantCases,
  { group: 'paths', name: 'absolute-form request target', send: (env) => env.raw('GET', `${env.main.base}/api/v1/datasets`), expect: REFUSED, check: refusedProperly },
  { group: 'paths', name: 'absolute-form target with an encoded prefix', send: (env) => env.raw('GET', `${env.main.base}/%61pi/v1/datasets`), expect: REFUSED, check: refusedProperly },
  pathCase('GET', '/api/v1/datasets', 'NUL byte encoded', '/api/v1/datasets%00'),
  pathCase('GET', '/api/v1/datasets', 'fragment-like %23', '/api/v1/datasets%23x'),
  pathCase('GET', '/api/v1/datasets', 'encoded query ?', '/api%3fv1/datasets'),
  pathCase('GET', '/api/v1/datasets', 'overlong UTF-8 slash', '/api%c0%afv1/datasets', BAD),
  pathCase('GET', '/api/v1/datasets', 'invalid percent escape', '/api/v1/datasets/%zz', BAD),
  pathCase('GET', '/api/v1/datasets', 'semicolon before the query', '/api/v1/datasets;/healthz'),
  pathCase('GET', '/healthz', 'an open route as a prefix', '/healthz/../api/v1/datasets'),
  pathCase('GET', '/api/openapi.json', 'the open OpenAPI route as a prefix', '/api/openapi.json/../v1/datasets'),
  pathCase('GET', '/fhir/R4/metadata', 'the open FHIR metadata as a prefix', '/fhir/R4/metadata/../Patient/pat-ctl'),
  pathCase('GET', '/fhir/R4/metadata', 'encoded metadata prefix', '/fhir/R4/%6detadata/../Patient'),
  wire('Transfer-Encoding and Content-Length together', 'POST /api/v1/datasets HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nConnection: close\r\n\r\n0\r\n\r\n', BAD, 'POST'),
  wire('two Content-Length headers that differ', 'POST /api/v1/datasets HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nContent-Length: 5\r\nConnection: close\r\n\r\n', BAD, 'POST'),
  wire('a space in a header name', 'GET /api/v1/datasets HTTP/1.1\r\nHost: {host}\r\nBad Header: x\r\nConnection: close\r\n\r\n', BAD),
  wire('a garbage request line', 'GARBAGE\r\n\r\n', BAD),
  wire('a NUL in the Authorization header', 'GET /api/v1/datasets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\u0000x\r\nConnection: close\r\n\r\n', BAD),
  wire('the token folded onto a continuation line', 'GET /api/v1/datasets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer\r\n {token}\r\nConnection: close\r\n\r\n', BAD),
  wire('HTTP/1.0 without Host to an API route', 'GET /api/v1/datasets HTTP/1.0\r\n\r\n', { status: 401, code: 'UNAUTHORIZED' }),
  wire('a lone-LF request', 'GET /api/v1/datasets HTTP/1.1\nHost: {host}\nConnection: close\n\n', BAD),
];
