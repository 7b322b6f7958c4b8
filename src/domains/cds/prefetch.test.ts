/**
 * Prefetch templates: token rendering (CDS Hooks 2.0 tokens and CRD 2.2 FHIRPath tokens), query parsing, and
 * resolution from prefetch (under our keys or any key, by type and reference) / a data source / neither.
 */
import { describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirDataSource } from '../fhir/source.ts';
import { parseQuery, patientBundleFrom, renderTemplate, resolvePrefetch, resourcesOf } from './prefetch.ts';
import { patientScoped } from './pool.ts';
import { davinciRequest, RI_COVERAGE, RI_PATIENT } from './testing/davinci.ts';
import { createLogger } from '../../core/logger.ts';
import { databaseBackends } from '../../storage/testing.ts';
import { createFhirService } from '../fhir/service.ts';
import { HAS_SYNTHEA, loadSynthea, SMALL_PATIENT_ID } from '../fhir/testing/fixtures.ts';

const openSqliteTestDb = () => databaseBackends().find((b) => b.name === 'sqlite')!.open();

const ctx = { patientId: 'p1', userId: 'Practitioner/dr-1', encounterId: 'e 9', draftOrders: { resourceType: 'Bundle' } };

describe('renderTemplate', () => {
  it('fills context and user tokens', () => {
    expect(renderTemplate('Patient/{{context.patientId}}', ctx)).toBe('Patient/p1');
    expect(renderTemplate('Coverage?patient={{context.patientId}}&status=active', ctx)).toBe('Coverage?patient=p1&status=active');
    expect(renderTemplate('{{context.userId}}', ctx)).toBe('Practitioner/dr-1');
    expect(renderTemplate('Practitioner/{{userPractitionerId}}', ctx)).toBe('Practitioner/dr-1');
    expect(renderTemplate('{{ user }}', ctx)).toBe('Practitioner/dr-1');
    expect(renderTemplate('Encounter/{{context.encounterId}}', ctx)).toBe('Encounter/e%209');
  });
  it('returns null when a token has no value (the template is not filled)', () => {
    expect(renderTemplate('PractitionerRole?_id={{userPractitionerRoleId}}', ctx)).toBeNull();
    expect(renderTemplate('Encounter/{{context.encounterId}}', { patientId: 'p1' })).toBeNull();
    // Only first-level primitive context fields are tokens.
    expect(renderTemplate('X?id={{context.draftOrders}}', ctx)).toBeNull();
    expect(renderTemplate('X?id={{context.draftOrders.id}}', ctx)).toBeNull();
  });
  it('supports today() with day offsets', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(renderTemplate('Observation?date=gt{{today() - 90 days}}', ctx, now)).toBe('Observation?date=gt2025-12-10');
    expect(renderTemplate('{{today()}}', ctx, now)).toBe('2026-03-10');
  });
});

describe('parseQuery', () => {
  it('parses reads and searches (repeated parameters become arrays)', () => {
    expect(parseQuery('Patient/p1')).toEqual({ kind: 'read', type: 'Patient', id: 'p1' });
    expect(parseQuery('Coverage?patient=p1&status=active')).toEqual({ kind: 'search', type: 'Coverage', params: { patient: 'p1', status: 'active' } });
    expect(parseQuery('Observation?code=a&code=b')).toEqual({ kind: 'search', type: 'Observation', params: { code: ['a', 'b'] } });
    expect(parseQuery('http://x/Patient/1')).toBeNull();
    expect(parseQuery('Patient/1/_history/2')).toBeNull();
  });
});

function fakeSource(data: Record<string, Resource>, fail = false): FhirDataSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async read<T extends Resource = Resource>(type: string, id: string) {
      calls.push(`read ${type}/${id}`);
      if (fail) throw new Error('ECONNREFUSED');
      return (data[`${type}/${id}`] as T | undefined) ?? null;
    },
    async search(type: string, params: Record<string, string | string[]>) {
      calls.push(`search ${type} ${JSON.stringify(params)}`);
      if (fail) throw new Error('ECONNREFUSED');
      const entry = Object.values(data).filter((r) => r.resourceType === type).map((resource) => ({ resource }));
      return { resourceType: 'Bundle', type: 'searchset', entry } as Bundle;
    },
    async patientBundle() {
      return null;
    },
  };
}

const templates = { patient: 'Patient/{{context.patientId}}', coverage: 'Coverage?patient={{context.patientId}}&status=active', encounter: 'Encounter/{{context.encounterId}}' };

describe('resolvePrefetch', () => {
  it('uses what was prefetched (null included) and fetches only the rest', async () => {
    const src = fakeSource({ 'Coverage/c1': { resourceType: 'Coverage', id: 'c1' } as Resource });
    const r = await resolvePrefetch({ templates, required: ['patient', 'coverage'], context: { patientId: 'p1' }, prefetch: { patient: null }, source: src });
    expect(r.missing).toEqual([]);
    expect(r.values.patient).toBeNull();
    expect(r.sources).toEqual({ patient: 'prefetch', coverage: 'fetched', encounter: 'not-applicable' });
    expect(src.calls).toEqual(['search Coverage {"patient":"p1","status":"active"}']);
    expect(resourcesOf(r.values.coverage).map((x) => x.id)).toEqual(['c1']);
  });

  it('treats an OperationOutcome in prefetch as not prefetched', async () => {
    const src = fakeSource({ 'Patient/p1': { resourceType: 'Patient', id: 'p1' } });
    const r = await resolvePrefetch({ templates: { patient: templates.patient }, required: ['patient'], context: { patientId: 'p1' }, prefetch: { patient: { resourceType: 'OperationOutcome' } as Resource }, source: src });
    expect(r.sources.patient).toBe('fetched');
    expect((r.values.patient as Resource).id).toBe('p1');
  });

  it('reports needed keys that can be neither prefetched nor fetched', async () => {
    const none = await resolvePrefetch({ templates, required: ['patient', 'coverage'], context: { patientId: 'p1' }, prefetch: { patient: { resourceType: 'Patient', id: 'p1' } }, source: null });
    expect(none.missing.map((m) => m.key)).toEqual(['coverage']);
    expect(none.missing[0]!.reason).toMatch(/no fhirServer/);
    const down = await resolvePrefetch({ templates, required: ['patient', 'coverage'], context: { patientId: 'p1' }, prefetch: {}, source: fakeSource({}, true) });
    expect(down.missing.map((m) => m.key).sort()).toEqual(['coverage', 'patient']);
    expect(down.missing[0]!.reason).toMatch(/fetching it from fhirServer failed: ECONNREFUSED/);
  });

  it('builds one collection bundle of everything, deduplicated', () => {
    const b = patientBundleFrom({
      patient: { resourceType: 'Patient', id: 'p1' },
      coverage: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Coverage', id: 'c1' } as Resource }, { resource: { resourceType: 'Patient', id: 'p1' } }] } as Bundle,
      encounter: null,
    });
    expect(b.type).toBe('collection');
    expect(b.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)).toEqual(['Patient/p1', 'Coverage/c1']);
  });
});

describe('FHIRPath prefetch tokens (CRD 2.2 standard prefetch)', () => {
  const order = { resourceType: 'DeviceRequest', id: 'dr-9', codeReference: { reference: 'Device/d1' }, requester: { reference: 'PractitionerRole/r1' } };
  const drafts = { ...ctx, draftOrders: { resourceType: 'Bundle', entry: [{ resource: order }, { resource: { resourceType: 'MedicationRequest', id: 'm1' } }, { resource: { resourceType: 'MedicationRequest', id: 'm2' } }] }, dispatchedOrders: ['ServiceRequest/s1', 'MedicationRequest/m7'] };
  const pool = new Map<string, Resource>([
    ['Device/d1', { resourceType: 'Device', id: 'd1' } as Resource],
    ['PractitionerRole/r1', { resourceType: 'PractitionerRole', id: 'r1', practitioner: { reference: 'Practitioner/dr-1' } } as Resource],
  ]);
  it('evaluates paths, ofType(), resolve() against what the request carries, unions and %key variables', () => {
    expect(renderTemplate('MedicationRequest?_id={{context.draftOrders.entry.resource.ofType(MedicationRequest).id}}', drafts)).toBe('MedicationRequest?_id=m1,m2');
    expect(renderTemplate('Device?_id={{context.draftOrders.entry.resource.ofType(DeviceRequest).code.resolve().id}}', drafts, undefined, { pool })).toBe('Device?_id=d1');
    expect(renderTemplate('PractitionerRole?_id={{context.draftOrders.entry.resource.requester.resolve().ofType(PractitionerRole).id|context.draftOrders.entry.resource.performer.resolve().ofType(PractitionerRole).id}}', drafts, undefined, { pool })).toBe('PractitionerRole?_id=r1');
    expect(renderTemplate('Practitioner?_id={{%practitionerRoles.practitioner.resolve().id}}', drafts, undefined, { pool: new Map([['Practitioner/dr-1', { resourceType: 'Practitioner', id: 'dr-1' } as Resource]]), vars: { practitionerRoles: [pool.get('PractitionerRole/r1')!] } })).toBe('Practitioner?_id=dr-1');
    expect(renderTemplate("ServiceRequest?_id={{context.dispatchedOrders.where(startsWith('ServiceRequest/')).replace('ServiceRequest/', '')}}", drafts)).toBe('ServiceRequest?_id=s1');
  });
  it('leaves the template unfilled when the expression yields nothing or is not FHIRPath', () => {
    expect(renderTemplate('Device?_id={{context.draftOrders.entry.resource.ofType(DeviceRequest).code.resolve().id}}', drafts)).toBeNull(); // not in the pool
    expect(renderTemplate('X?_id={{%unknownKey.id}}', drafts)).toBeNull();
    expect(renderTemplate('X?_id={{context..broken((}}', drafts)).toBeNull();
  });
  it('runs templates that use %key after the key they use', async () => {
    const src = fakeSource({ 'PractitionerRole/r1': pool.get('PractitionerRole/r1')!, 'Practitioner/dr-1': { resourceType: 'Practitioner', id: 'dr-1' } as Resource });
    const r = await resolvePrefetch({ templates: { practitioners: "Practitioner?_id={{%role.practitioner.reference.replace('Practitioner/', '')}}", role: 'PractitionerRole/{{context.draftOrders.entry.resource.requester.resolve().id}}' }, required: [], context: drafts, prefetch: { roles: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: pool.get('PractitionerRole/r1')! }] } as Bundle }, source: src });
    expect(r.sources).toEqual({ role: 'matched', practitioners: 'fetched' });
    expect(resourcesOf(r.values.practitioners).map((x) => x.id)).toEqual(['dr-1']);
    expect(src.calls).toEqual(['search Practitioner {"_id":"dr-1"}']);
  });
});

describe('prefetch under the client\'s own keys (Da Vinci reference client)', () => {
  const ours = { patient: 'Patient/{{context.patientId}}', coverage: 'Coverage?patient={{context.patientId}}&status=active', conditions: 'Condition?patient={{context.patientId}}' };
  it('finds patient and coverage by type and reference in medicationRequestBundle, and fetches nothing it was sent', async () => {
    const req = davinciRequest({ patient: RI_PATIENT, coverage: RI_COVERAGE, order: { resourceType: 'MedicationRequest', id: 'mr-1', status: 'draft' } as Resource });
    expect(Object.keys(req.prefetch!)).toEqual(['medicationRequestBundle', 'practitionerRole']);
    const src = fakeSource({});
    const r = await resolvePrefetch({ templates: ours, required: ['patient', 'coverage'], context: req.context, prefetch: req.prefetch, source: src });
    expect(r.missing).toEqual([]);
    expect(r.sources).toEqual({ patient: 'matched', coverage: 'matched', conditions: 'fetched' });
    expect((r.values.patient as Resource).id).toBe('pat013');
    expect(resourcesOf(r.values.coverage).map((c) => c.id)).toEqual(['cov013']);
    expect(src.calls).toEqual(['search Condition {"patient":"pat013"}']);
    expect(r.pool.has('MedicationRequest/mr-1')).toBe(true);
  });
  it('reports only what is truly absent: no Coverage anywhere and nowhere to fetch it → coverage missing', async () => {
    const req = davinciRequest({ patient: RI_PATIENT, coverage: null, order: { resourceType: 'ServiceRequest', id: 'sr-1', status: 'draft' } as Resource });
    const r = await resolvePrefetch({ templates: ours, required: ['patient', 'coverage'], context: req.context, prefetch: req.prefetch, source: null });
    expect(r.missing.map((m) => m.key)).toEqual(['coverage']);
    expect(r.sources).toMatchObject({ patient: 'matched', coverage: 'unavailable', conditions: 'unavailable' });
  });
  it('answers a search only for the patient asked for and the status asked for', async () => {
    const other = { ...RI_COVERAGE, id: 'cov-other', beneficiary: { reference: 'http://ehr.example.org/fhir/Patient/someone-else' } };
    const cancelled = { ...RI_COVERAGE, id: 'cov-old', status: 'cancelled' as const };
    const r = await resolvePrefetch({ templates: ours, required: [], context: { patientId: 'pat013' }, prefetch: { mine: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: RI_COVERAGE }, { resource: other }, { resource: cancelled }] } as Bundle }, source: null });
    expect(resourcesOf(r.values.coverage).map((c) => c.id)).toEqual(['cov013']);
  });
});

describe('patientScoped', () => {
  it('accepts a read of the patient and searches that name only that patient, with parameters the pool evaluates', () => {
    const q = (url: string) => parseQuery(url)!;
    expect(patientScoped(q('Patient/p1'), 'p1')).toBe(true);
    expect(patientScoped(q('Condition?patient=p1'), 'p1')).toBe(true);
    expect(patientScoped(q('Coverage?patient=Patient/p1&status=active'), 'p1')).toBe(true);
    expect(patientScoped(q('Patient/p2'), 'p1')).toBe(false);
    expect(patientScoped(q('Practitioner/p1'), 'p1')).toBe(false);
    expect(patientScoped(q('Condition?patient=p2'), 'p1')).toBe(false);
    expect(patientScoped(q('Condition?patient=p1,p2'), 'p1')).toBe(false);
    expect(patientScoped(q('Condition?code=123&patient=p1'), 'p1')).toBe(false); // code: not evaluated by the pool
    expect(patientScoped(q('Condition?patient:missing=false'), 'p1')).toBe(false);
    expect(patientScoped(q('Condition?status=active'), 'p1')).toBe(false); // no patient named
  });
});

describe('resolvePrefetch from the embedded store: one compartment read for the patient-scoped templates', () => {
  const ORDER_TEMPLATES = {
    patient: 'Patient/{{context.patientId}}',
    coverage: 'Coverage?patient={{context.patientId}}&status=active',
    conditions: 'Condition?patient={{context.patientId}}',
    user: '{{context.userId}}',
    priorAuthorizations: 'ClaimResponse?patient={{context.patientId}}',
  };
  const idsOf = (v: Resource | null | undefined) => resourcesOf(v).map((r) => `${r.resourceType}/${r.id}`).sort();

  it.skipIf(!HAS_SYNTHEA)('fills every key exactly as template-by-template reads do, reading the compartment once', async () => {
    const t = await openSqliteTestDb();
    try {
      const fhir = createFhirService({ db: t.db, logger: createLogger('silent'), baseUrl: 'http://test/fhir/R4' });
      await fhir.importBundle(loadSynthea(), { withCoverage: 'Acme Health', plans: ['acme-gold'] });
      await fhir.create({ resourceType: 'Practitioner', id: 'dr-1' } as Resource);
      await fhir.create({ resourceType: 'ClaimResponse', status: 'active', use: 'preauthorization', outcome: 'complete', patient: { reference: `Patient/${SMALL_PATIENT_ID}` }, created: '2026-01-01', insurer: { display: 'Acme' }, type: { coding: [{ code: 'pharmacy' }] } } as Resource);
      const calls: string[] = [];
      const counted: FhirDataSource = {
        read: async (type, id) => (calls.push(`read ${type}`), fhir.read(type, id)),
        search: async (type, params) => (calls.push(`search ${type}`), fhir.search(type, params)),
        patientBundle: (id) => fhir.patientBundle(id),
        compartment: async (id, types) => (calls.push(`compartment ${[...types].sort().join(',')}`), fhir.compartment(id, types)),
      };
      const plain: FhirDataSource = { read: (type, id) => fhir.read(type, id), search: (type, params) => fhir.search(type, params), patientBundle: (id) => fhir.patientBundle(id) };
      const context = { patientId: SMALL_PATIENT_ID, userId: 'Practitioner/dr-1' };
      const input = { templates: ORDER_TEMPLATES, required: ['patient', 'coverage'], context, prefetch: undefined };
      const fast = await resolvePrefetch({ ...input, source: counted });
      const slow = await resolvePrefetch({ ...input, source: plain });
      expect(calls.sort()).toEqual(['compartment ClaimResponse,Condition,Coverage,Patient', 'read Practitioner']);
      for (const key of Object.keys(ORDER_TEMPLATES)) expect(idsOf(fast.values[key]), key).toEqual(idsOf(slow.values[key]));
      expect(fast.sources).toEqual(slow.sources);
      expect(idsOf(fast.values.conditions).length).toBeGreaterThan(0);
      expect(idsOf(fast.values.priorAuthorizations)).toHaveLength(1);
      expect(idsOf(fast.values.coverage)).toHaveLength(1);
      expect(fast.missing).toEqual([]);
      // a patient that does not exist: null Patient, empty searches, as the store's reads answer
      const none = await resolvePrefetch({ ...input, context: { ...context, patientId: 'nobody' }, source: counted });
      const noneSlow = await resolvePrefetch({ ...input, context: { ...context, patientId: 'nobody' }, source: plain });
      expect(none.values.patient).toBeNull();
      for (const key of Object.keys(ORDER_TEMPLATES)) expect(idsOf(none.values[key]), key).toEqual(idsOf(noneSlow.values[key]));
      // what the client sent is still used first: only the rest is read (one patient-scoped query left: no compartment read)
      calls.length = 0;
      const sent = await resolvePrefetch({ ...input, prefetch: { patient: slow.values.patient!, conditions: slow.values.conditions!, coverage: slow.values.coverage! }, source: counted });
      expect(calls.sort()).toEqual(['read Practitioner', 'search ClaimResponse']);
      expect(sent.sources.patient).toBe('prefetch');
    } finally {
      await t.cleanup();
    }
  });
});
