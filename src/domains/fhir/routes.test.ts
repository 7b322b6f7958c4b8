/** /fhir/R4 REST and /api/v1/fhir through the real app in-process. */
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { HAS_SYNTHEA, loadSynthea, SMALL_PATIENT_ID } from './testing/fixtures.ts';

const FHIR = { 'content-type': 'application/fhir+json' };

describe('FHIR R4 REST', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { worker: false });
  });
  afterAll(async () => t?.close());

  it('creates, reads, updates and deletes with FHIR headers', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: FHIR, payload: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Rest' }] }) });
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const p = created.json<Patient>();
    expect(created.headers.location).toMatch(new RegExp(`/fhir/R4/Patient/${p.id}/_history/1$`));
    expect(created.headers.etag).toBe('W/"1"');
    const read = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${p.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json<Patient>().name?.[0]?.family).toBe('Rest');
    const put = await t.app.inject({ method: 'PUT', url: `/fhir/R4/Patient/${p.id}`, headers: { 'content-type': 'application/json', 'if-match': 'W/"1"' }, payload: { ...p, gender: 'male' } });
    expect(put.statusCode).toBe(200);
    expect(put.headers.etag).toBe('W/"2"');
    const stale = await t.app.inject({ method: 'PUT', url: `/fhir/R4/Patient/${p.id}`, headers: { ...FHIR, 'if-match': 'W/"1"' }, payload: JSON.stringify({ ...p, gender: 'other' }) });
    expect(stale.statusCode).toBe(412);
    expect(stale.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
    expect((await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${p.id}/_history/1` })).json<Patient>().gender).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${p.id}/_history` })).json<Bundle>().total).toBe(2);
    const cond = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...FHIR, 'if-none-exist': `_id=${p.id}` }, payload: JSON.stringify({ resourceType: 'Patient' }) });
    expect(cond.statusCode).toBe(200);
    expect(cond.json<Patient>().id).toBe(p.id);
    expect((await t.app.inject({ method: 'DELETE', url: `/fhir/R4/Patient/${p.id}` })).statusCode).toBe(200);
    const gone = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${p.id}` });
    expect(gone.statusCode).toBe(410);
  });

  it('answers errors as OperationOutcome with the right status', async () => {
    const invalid = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: FHIR, payload: JSON.stringify({ resourceType: 'Patient', birthDate: 'March 3rd', gender: 7 }) });
    expect(invalid.statusCode).toBe(400);
    const oo = invalid.json<OperationOutcome>();
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue.flatMap((i) => i.expression ?? [])).toEqual(expect.arrayContaining(['Patient.birthDate', 'Patient.gender']));
    const unknown = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patientt/1' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<OperationOutcome>().issue[0]?.code).toBe('not-supported');
    expect((await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient/missing' })).json<OperationOutcome>().issue[0]?.code).toBe('not-found');
    const badParam = await t.app.inject({ method: 'GET', url: '/fhir/R4/Coverage?colour=red' });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json<OperationOutcome>().issue[0]?.details?.text).toContain('Coverage has no search parameter "colour"');
    const badJson = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: FHIR, payload: '{"resourceType": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
    const wrongType = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: FHIR, payload: JSON.stringify({ resourceType: 'Condition' }) });
    expect(wrongType.statusCode).toBe(400);
    const noRoute = await t.app.inject({ method: 'PATCH', url: '/fhir/R4/Patient/1' });
    expect(noRoute.statusCode).toBe(404);
    expect(noRoute.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
    const media = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(media.statusCode).toBe(415);
    expect(media.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
  });

  it('refuses hostile bodies and searches before they are stored or crash anything', async () => {
    const post = (payload: string, url = '/fhir/R4/Patient') => t.app.inject({ method: 'POST', url, headers: FHIR, payload });
    const codeOf = (r: { json: <T>() => T }) => r.json<OperationOutcome>().issue[0]?.details?.coding?.[0]?.code;
    const nested = (n: number) => `${'{"url":"http://x","extension":['.repeat(n)}{"url":"http://x","valueString":"v"}${']}'.repeat(n)}`;
    const deep = await post(`{"resourceType":"Patient","extension":[${nested(20_000)}]}`);
    expect(deep.statusCode).toBe(400);
    expect(codeOf(deep)).toBe('FHIR_RESOURCE_INVALID');
    expect(deep.json<OperationOutcome>().issue[0]?.details?.text).toMatch(/more than 128 levels deep/);
    const inBundle = await post(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', extension: [JSON.parse(nested(100))] } }] }).replace('"extension":[{', `"extension":[${nested(200)},{`), '/fhir/R4');
    expect(inBundle.statusCode).toBe(400);
    // A resource with ordinary nesting (10 extensions deep) is still accepted.
    expect((await post(`{"resourceType":"Patient","extension":[${nested(10)}]}`)).statusCode).toBe(201);
    const proto = await post('{"resourceType":"Patient","__proto__":{"polluted":"yes"}}');
    expect([proto.statusCode, codeOf(proto)]).toEqual([400, 'JSON_FORBIDDEN_KEY']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(codeOf(await post('{"resourceType":"Patient","constructor":{"prototype":{"polluted":"yes"}}}'))).toBe('JSON_FORBIDDEN_KEY');
    for (const body of ['{"resourceType":"Patient","toString":"x"}', '{"resourceType":"Patient","name":[{"hasOwnProperty":"x"}]}', '{"resourceType":"Patient","constructor":"x"}']) {
      const res = await post(body);
      expect([res.statusCode, codeOf(res)], body).toEqual([400, 'FHIR_RESOURCE_INVALID']);
    }
    expect((await post('{"resourceType":"Patient","toString":"x"}')).json<OperationOutcome>().issue[0]?.expression).toEqual(['Patient.toString']);
    const search = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?birthdate=ge2020-13-45' });
    expect([search.statusCode, codeOf(search)]).toEqual([400, 'FHIR_SEARCH_INVALID']);
    expect(search.json<OperationOutcome>().issue[0]?.details?.text).toContain('birthdate');
  });

  it('serves the CapabilityStatement', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' });
    expect(res.statusCode).toBe(200);
    const cs = res.json<{ resourceType: string; fhirVersion: string; rest: Array<{ resource: Array<{ type: string; searchParam: Array<{ name: string }>; searchInclude?: string[] }> }> }>();
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    const coverage = cs.rest[0]!.resource.find((r) => r.type === 'Coverage')!;
    expect(coverage.searchParam.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'beneficiary', 'status', 'payor']));
    expect(coverage.searchInclude).toContain('Coverage:payor');
    const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json<{ paths: Record<string, unknown> }>().paths)).toEqual(expect.arrayContaining(['/fhir/R4/{type}/{id}', '/api/v1/fhir/patients']));
  });

  it.skipIf(!HAS_SYNTHEA)('posts a Synthea transaction, searches over HTTP and lists patients', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/fhir/R4', headers: FHIR, payload: JSON.stringify(loadSynthea()) });
    expect(res.statusCode).toBe(200);
    const out = res.json<Bundle>();
    expect(out.type).toBe('transaction-response');
    expect(out.entry).toHaveLength(70);
    expect(out.entry?.every((e) => e.response?.status === '201 Created')).toBe(true);
    // A REST transaction assigns new ids (POST semantics); the patient is the first entry.
    const pid = out.entry![0]!.response!.location!.split('/')[1]!;
    const obs = await t.app.inject({ method: 'GET', url: `/fhir/R4/Observation?patient=${pid}&_count=10` });
    const page = obs.json<Bundle>();
    expect(page.total).toBe(48);
    expect(page.entry).toHaveLength(10);
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toMatch(/^http:\/\/localhost(:\d+)?\/fhir\/R4\/Observation\?/);
    const page2 = await t.app.inject({ method: 'GET', url: new URL(next!).pathname + new URL(next!).search });
    expect(page2.json<Bundle>().entry).toHaveLength(10);
    const form = await t.app.inject({ method: 'POST', url: '/fhir/R4/Encounter/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `patient=${pid}&status=finished` });
    expect(form.json<Bundle>().total).toBe(3);
    const everything = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${pid}/$everything` });
    expect(everything.json<Bundle>().entry?.[0]?.resource?.id).toBe(pid);

    // The import API keeps Synthea ids and adds coverage.
    const imp = await t.app.inject({ method: 'POST', url: '/api/v1/fhir/import?withCoverage=Acme%20Health&plans=acme-standard', payload: loadSynthea() });
    expect(imp.statusCode).toBe(200);
    expect(imp.json()).toMatchObject({ created: 72, coverages: 1, entries: 70, patients: [SMALL_PATIENT_ID] });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/fhir/patients?name=clem&limit=1' });
    expect(list.statusCode).toBe(200);
    const body = list.json<{ items: Array<{ id: string; coverage: string | null }>; nextCursor: string | null }>();
    expect(body.items).toHaveLength(1);
    expect(body.nextCursor).not.toBeNull();
    const rest = await t.app.inject({ method: 'GET', url: `/api/v1/fhir/patients?name=clem&cursor=${body.nextCursor}` });
    const all = [...body.items, ...rest.json<{ items: Array<{ id: string; coverage: string | null }> }>().items];
    expect(all.map((p) => p.id).sort()).toEqual([pid, SMALL_PATIENT_ID].sort());
    expect(all.find((p) => p.id === SMALL_PATIENT_ID)?.coverage).toBe('Acme Health — Acme Standard');
    expect(all.find((p) => p.id === pid)?.coverage).toBeNull();
  });
});

describe('FHIR R4 REST with API tokens', () => {
  let t: TestApp;
  const token = 'fhir-test-token-0123456789';
  beforeAll(async () => {
    t = await createTestApp({ apiTokens: [token] }, { worker: false });
  });
  afterAll(async () => t?.close());

  it('needs the bearer token (except for metadata)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient' });
    expect(res.statusCode).toBe(401);
    expect(res.json<OperationOutcome>().issue[0]?.code).toBe('login');
    expect((await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' })).statusCode).toBe(200);
  });
});
