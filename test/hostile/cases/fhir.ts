/**
 * FHIR R4 REST bodies and searches (/fhir/R4, its own JSON parser and OperationOutcome errors): invalid JSON,
 * prototype keys, deep nesting, wrong resource types and ids, wrong content types, bad search parameters. Only
 * refused writes: the store must keep exactly the control patient.
 */
import { err, type HostileCase, type Outcome } from '../case.ts';
import { deepJsonBody } from '../generators.ts';
import type { Reply } from '../harness.ts';

function fhir(name: string, method: string, url: string, payload: string | undefined, expect: Outcome, contentType = 'application/fhir+json', check?: HostileCase['check']): HostileCase {
  return {
    group: 'bodies',
    name: `FHIR: ${name}`,
    send: (env) => env.inject({ method: method as 'POST', url, headers: { ...env.auth, ...(payload === undefined ? {} : { 'content-type': contentType }) }, ...(payload === undefined ? {} : { payload }) }),
    expect,
    ...(check ? { check } : {}),
  };
}

const INVALID = err(400, 'FHIR_RESOURCE_INVALID');
const noPollution = () => (({} as Record<string, unknown>).polluted === undefined ? [] : ['Object.prototype was polluted']);
const j = (o: unknown) => JSON.stringify(o);

/** A FHIR extension with `depth` nested extensions (valid JSON, each level a valid element). */
function nestedExtension(depth: number): string {
  return `${'{"url":"http://x","extension":['.repeat(depth)}{"url":"http://x","valueString":"v"}${']}'.repeat(depth)}`;
}

export const fhirCases: HostileCase[] = [
  fhir('invalid JSON', 'POST', '/fhir/R4/Patient', '{"resourceType":', INVALID),
  fhir('an empty body', 'POST', '/fhir/R4/Patient', '', INVALID),
  fhir('a JSON array', 'POST', '/fhir/R4/Patient', '[]', INVALID),
  fhir('__proto__ in a resource', 'POST', '/fhir/R4/Patient', '{"resourceType":"Patient","__proto__":{"polluted":"yes"}}', err(400, 'JSON_FORBIDDEN_KEY'), 'application/fhir+json', noPollution),
  fhir('constructor.prototype in a resource', 'POST', '/fhir/R4/Patient', '{"resourceType":"Patient","constructor":{"prototype":{"polluted":"yes"}}}', err(400, 'JSON_FORBIDDEN_KEY'), 'application/fhir+json', noPollution),
  fhir('an element named toString', 'POST', '/fhir/R4/Patient', '{"resourceType":"Patient","toString":"x"}', INVALID),
  fhir('an element named hasOwnProperty', 'POST', '/fhir/R4/Patient', '{"resourceType":"Patient","name":[{"hasOwnProperty":"x"}]}', INVALID),
  fhir('100,000 nested objects', 'POST', '/fhir/R4/Patient', deepJsonBody(100_000), INVALID),
  fhir('a Patient with extensions nested 20,000 deep', 'POST', '/fhir/R4/Patient', `{"resourceType":"Patient","extension":[${nestedExtension(20_000)}]}`, INVALID),
  fhir('a transaction whose resource nests 20,000 deep', 'POST', '/fhir/R4', j({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient' } }] }).replace('{"resourceType":"Patient"}', `{"resourceType":"Patient","extension":[${nestedExtension(20_000)}]}`), INVALID),
  fhir('an Observation posted to /Patient', 'POST', '/fhir/R4/Patient', j({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), INVALID),
  fhir('an unknown element', 'POST', '/fhir/R4/Patient', j({ resourceType: 'Patient', evil: true }), INVALID),
  fhir('a wrongly typed element', 'POST', '/fhir/R4/Patient', j({ resourceType: 'Patient', birthDate: { $gt: '' } }), INVALID),
  fhir('an id with ../ on update', 'PUT', '/fhir/R4/Patient/..%2Fpat-ctl', j({ resourceType: 'Patient', id: '../pat-ctl' }), INVALID),
  fhir('an update whose body id differs from the URL', 'PUT', '/fhir/R4/Patient/pat-ctl', j({ resourceType: 'Patient', id: 'someone-else' }), INVALID),
  fhir('an unknown resource type', 'POST', '/fhir/R4/Evil', j({ resourceType: 'Evil' }), err(404, 'FHIR_RESOURCE_TYPE_UNKNOWN')),
  fhir('text/plain body', 'POST', '/fhir/R4/Patient', j({ resourceType: 'Patient' }), err(415, 'UNSUPPORTED_MEDIA_TYPE'), 'text/plain'),
  fhir('a transaction that is not a Bundle', 'POST', '/fhir/R4', j({ resourceType: 'Patient' }), err(400, 'FHIR_BUNDLE_INVALID')),
  fhir('a transaction Bundle with a bad request method', 'POST', '/fhir/R4', j({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'TRACE', url: 'Patient' }, resource: { resourceType: 'Patient' } }] }), err(400, 'FHIR_BUNDLE_INVALID')),
  fhir('a search with an unknown parameter', 'GET', '/fhir/R4/Patient?evil=1', undefined, err(400, 'FHIR_SEARCH_INVALID')),
  fhir('a search with _count=-1', 'GET', '/fhir/R4/Patient?_count=-1', undefined, err(400, 'FHIR_SEARCH_INVALID')),
  fhir('a search with a malformed date', 'GET', '/fhir/R4/Patient?birthdate=ge2020-13-45', undefined, err(400, 'FHIR_SEARCH_INVALID')),
  fhir('a POST _search with SQL in a parameter', 'POST', '/fhir/R4/Patient/_search', "name=' OR 1=1 --", { status: 200 }, 'application/x-www-form-urlencoded', (r: Reply) => (/"total":\s*0/.test(r.body) ? [] : [`the injected search matched something: ${r.body.slice(0, 200)}`])),
];
