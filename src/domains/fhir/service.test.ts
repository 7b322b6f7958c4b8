/** The FHIR store on every configured database (SQLite always; PostgreSQL with SAGEBRUSH_TEST_DATABASE_URL). */
import type { Bundle, Condition, Coverage, MedicationRequest, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { databaseBackends, skipBackend, type TestDatabase } from '../../storage/testing.ts';
import { createFhirService, type FhirService } from './service.ts';
import { HAS_SYNTHEA, loadSynthea, SMALL_PATIENT_ID } from './testing/fixtures.ts';

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', name: [{ family, given: ['Ana'] }], gender: 'female', birthDate: '1980-02-03', ...extra });

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const ids = (b: Bundle, type?: string) => (b.entry ?? []).map((e) => e.resource!).filter((r) => !type || r.resourceType === type).map((r) => r.id);

for (const backend of databaseBackends()) {
  describe.skipIf(skipBackend(backend))(`FHIR store on ${backend.name}`, () => {
    let t: TestDatabase;
    let fhir: FhirService;
    beforeAll(async () => {
      t = await backend.open();
      fhir = createFhirService({ db: t.db, logger: createLogger('silent'), baseUrl: 'http://test/fhir/R4' });
    });
    afterAll(async () => t?.cleanup());

    it('creates, reads, updates with versions, reads history and deletes', async () => {
      const created = await fhir.create(patient('Versioned'));
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.meta?.versionId).toBe('1');
      expect(Date.parse(created.meta!.lastUpdated!)).not.toBeNaN();
      const v2 = await fhir.update('Patient', created.id!, { ...(created as Patient), gender: 'male' });
      expect(v2.created).toBe(false);
      expect(v2.resource.meta?.versionId).toBe('2');
      expect((await fhir.read<Patient>('Patient', created.id!))?.gender).toBe('male');
      expect(((await fhir.vread('Patient', created.id!, '1')) as Patient).gender).toBe('female');
      // The same content again writes no new version.
      const same = await fhir.update('Patient', created.id!, { ...(v2.resource as Patient) });
      expect(same.resource.meta?.versionId).toBe('2');
      // Optimistic locking.
      expect((await rejects(fhir.update('Patient', created.id!, { ...(v2.resource as Patient), gender: 'other' }, { ifMatch: 'W/"1"' }))).code).toBe('FHIR_PRECONDITION_FAILED');
      const v3 = await fhir.update('Patient', created.id!, { ...(v2.resource as Patient), gender: 'other' }, { ifMatch: 'W/"2"' });
      expect(v3.resource.meta?.versionId).toBe('3');
      const put = await fhir.update('Patient', 'client-id-1', patient('ClientId'));
      expect(put).toMatchObject({ created: true, resource: { id: 'client-id-1', meta: { versionId: '1' } } });

      expect(await fhir.delete('Patient', created.id!)).toBe(true);
      expect(await fhir.read('Patient', created.id!)).toBeNull();
      expect((await rejects(fhir.get('Patient', created.id!))).code).toBe('FHIR_GONE');
      expect((await rejects(fhir.get('Patient', 'nope'))).code).toBe('FHIR_NOT_FOUND');
      const history = await fhir.history('Patient', created.id!);
      expect(history.entry?.map((e) => e.response?.etag)).toEqual(['W/"4"', 'W/"3"', 'W/"2"', 'W/"1"']);
      expect(history.entry?.[0]?.request?.method).toBe('DELETE');
      expect((await fhir.search('Patient', { family: 'versioned' })).total).toBe(0);
      expect(await fhir.delete('Patient', created.id!)).toBe(false);
    });

    it('rejects invalid resources naming the element, and unknown types', async () => {
      const bad = await rejects(fhir.create({ resourceType: 'Patient', birthDate: '03/02/1980', foo: 1 } as unknown as Patient));
      expect(bad.code).toBe('FHIR_RESOURCE_INVALID');
      expect(bad.problems?.map((p) => p.field)).toEqual(expect.arrayContaining(['Patient.birthDate', 'Patient.foo']));
      const missing = await rejects(fhir.create({ resourceType: 'Coverage' } as Coverage));
      expect(missing.problems?.map((p) => p.field)).toEqual(expect.arrayContaining(['Coverage.status', 'Coverage.beneficiary', 'Coverage.payor']));
      expect((await rejects(fhir.create({ resourceType: 'Patientx' } as unknown as Patient))).code).toBe('FHIR_RESOURCE_TYPE_UNKNOWN');
      expect((await rejects(fhir.search('patient', {}))).code).toBe('FHIR_RESOURCE_TYPE_UNKNOWN');
      expect((await rejects(fhir.search('Patient', { shoe: '1' }))).code).toBe('FHIR_SEARCH_INVALID');
      expect((await rejects(fhir.search('Patient', { birthdate: 'yesterday' }))).code).toBe('FHIR_SEARCH_INVALID');
    });

    it('runs a transaction with urn:uuid, conditional references and ifNoneExist, all or nothing', async () => {
      const tx: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:c1', resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:p1' }, code: { coding: [{ system: 'http://snomed.info/sct', code: '444814009' }] }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } } as Condition, request: { method: 'POST', url: 'Condition' } },
          { fullUrl: 'urn:uuid:p1', resource: patient('Txn', { identifier: [{ system: 'urn:mrn', value: 'TX-1' }] }), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|TX-1' } },
        ],
      };
      const res = await fhir.transaction(tx);
      expect(res.type).toBe('transaction-response');
      expect(res.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
      const pid = res.entry![1]!.response!.location!.split('/')[1]!;
      const conds = await fhir.search('Condition', { patient: pid });
      expect(conds.total).toBe(1);
      expect((conds.entry![0]!.resource as Condition).subject.reference).toBe(`Patient/${pid}`);
      // ifNoneExist finds the patient now; a conditional reference resolves to it.
      const again = await fhir.transaction({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient('Txn', { identifier: [{ system: 'urn:mrn', value: 'TX-1' }] }), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|TX-1' } },
          { resource: { resourceType: 'Condition', subject: { reference: 'Patient?identifier=urn:mrn|TX-1' } } as Condition, request: { method: 'POST', url: 'Condition' } },
        ],
      });
      expect(again.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created']);
      expect((await fhir.search('Condition', { subject: `Patient/${pid}` })).total).toBe(2);
      // One invalid entry: nothing of the Bundle is stored.
      const before = await fhir.counts();
      const err = await rejects(fhir.transaction({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:p2', resource: patient('Rollback'), request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:p2' }, onsetDateTime: 'last week' } as unknown as Condition, request: { method: 'POST', url: 'Condition' } },
        ],
      }));
      expect(err.code).toBe('FHIR_RESOURCE_INVALID');
      expect(err.problems?.[0]?.field).toBe('Bundle.entry[1].resource.onsetDateTime');
      expect((await rejects(fhir.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:nowhere' } } as Condition, request: { method: 'POST', url: 'Condition' } }] }))).code).toBe('FHIR_BUNDLE_INVALID');
      expect(await fhir.counts()).toEqual(before);
      // Batch: entries succeed or fail one by one.
      const batch = await fhir.transaction({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient('Batch'), request: { method: 'POST', url: 'Patient' } }, { request: { method: 'GET', url: 'Patient/does-not-exist' } }] });
      expect(batch.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '404']);
      expect(batch.entry?.[1]?.response?.outcome?.resourceType).toBe('OperationOutcome');
    });

    it('searches the parameters CRD needs, with _include, paging links and sorting', async () => {
      const org = await fhir.create({ resourceType: 'Organization', name: 'Acme Health' });
      const med = await fhir.create({ resourceType: 'Medication', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308182', display: 'amoxicillin 250 MG' }] } });
      const p = await fhir.create(patient('Searcher', { identifier: [{ system: 'urn:mrn', value: 'S-1' }] }));
      const subject = { reference: `Patient/${p.id}` };
      await fhir.create({ resourceType: 'Coverage', status: 'active', beneficiary: subject, payor: [{ reference: `Organization/${org.id}` }] } as Coverage);
      await fhir.create({ resourceType: 'Coverage', status: 'cancelled', beneficiary: subject, payor: [{ reference: `Organization/${org.id}` }] } as Coverage);
      await fhir.create({ resourceType: 'MedicationRequest', status: 'draft', intent: 'order', subject, medicationReference: { reference: `Medication/${med.id}` } } as MedicationRequest);
      await fhir.create({ resourceType: 'MedicationRequest', status: 'active', intent: 'plan', subject, medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '723', display: 'amoxicillin' }] } } as MedicationRequest);
      await fhir.create({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject, code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '72148' }] } } as Resource);
      await fhir.create({ resourceType: 'DeviceRequest', status: 'draft', intent: 'order', subject, codeCodeableConcept: { coding: [{ system: 'https://bluebutton.cms.gov/resources/codesystem/hcpcs', code: 'E0601' }] } } as Resource);
      await fhir.create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject, period: { start: '2020-05-01T10:00:00Z', end: '2020-05-01T11:00:00Z' } } as Resource);
      await fhir.create({ resourceType: 'Claim', status: 'active', use: 'preauthorization', type: { coding: [{ code: 'pharmacy' }] }, patient: subject, created: '2020-05-02', provider: { reference: `Organization/${org.id}` }, priority: { coding: [{ code: 'normal' }] }, insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/x' } }] } as Resource);

      const cov = await fhir.search('Coverage', { patient: p.id!, status: 'active', _include: 'Coverage:payor' });
      expect(cov.total).toBe(1);
      expect(cov.entry?.map((e) => [e.resource?.resourceType, e.search?.mode])).toEqual([['Coverage', 'match'], ['Organization', 'include']]);
      expect((await fhir.search('Coverage', { beneficiary: `Patient/${p.id}` })).total).toBe(2);
      expect((await fhir.search('Coverage', { payor: `Organization/${org.id}`, status: 'active,cancelled' })).total).toBe(2);
      expect((await fhir.search('Coverage', { patient: p.id!, 'status:not': 'active' })).total).toBe(1);

      const meds = await fhir.search('MedicationRequest', { patient: p.id!, status: 'draft', intent: 'order', _include: 'MedicationRequest:medication' });
      expect(ids(meds, 'Medication')).toEqual([med.id]);
      expect((await fhir.search('MedicationRequest', { code: 'http://www.nlm.nih.gov/research/umls/rxnorm|723' })).total).toBe(1);
      expect((await fhir.search('MedicationRequest', { subject: `Patient/${p.id}`, _include: '*' })).entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.resourceType).sort()).toEqual(['Medication', 'Patient']);
      expect((await fhir.search('ServiceRequest', { patient: p.id!, code: '72148', status: 'active', intent: 'order' })).total).toBe(1);
      expect((await fhir.search('DeviceRequest', { patient: p.id!, code: 'https://bluebutton.cms.gov/resources/codesystem/hcpcs|E0601', status: 'draft' })).total).toBe(1);
      expect((await fhir.search('Encounter', { patient: p.id!, date: 'ge2020-05-01', status: 'finished' })).total).toBe(1);
      expect((await fhir.search('Encounter', { patient: p.id!, date: 'lt2020-05-01' })).total).toBe(0);
      expect((await fhir.search('Encounter', { patient: p.id!, date: '2020-05' })).total).toBe(1);
      expect((await fhir.search('Claim', { patient: p.id!, use: 'preauthorization' })).total).toBe(1);
      expect((await fhir.search('Patient', { identifier: 'urn:mrn|S-1' })).total).toBe(1);
      expect((await fhir.search('Patient', { name: 'SEARCH' })).total).toBe(1);
      expect((await fhir.search('Patient', { 'name:exact': 'Searcher', _id: p.id! })).total).toBe(1);
      expect((await fhir.search('Organization', { name: 'acme' })).total).toBeGreaterThanOrEqual(1);
      const rev = await fhir.search('Patient', { _id: p.id!, _revinclude: 'Coverage:patient' });
      expect(ids(rev, 'Coverage')).toHaveLength(2);

      // Paging: 5 patients with the same family name, 2 per page.
      for (let i = 0; i < 5; i++) await fhir.create(patient('Pager'));
      const page1 = await fhir.search('Patient', { family: 'pager', _count: '2', _sort: '_lastUpdated' });
      expect(page1.total).toBe(5);
      expect(page1.entry).toHaveLength(2);
      const next = page1.link?.find((l) => l.relation === 'next')?.url;
      expect(next).toMatch(/^http:\/\/test\/fhir\/R4\/Patient\?.*_offset=2/);
      const page3 = await fhir.search('Patient', Object.fromEntries(new URL(page1.link!.find((l) => l.relation === 'last')!.url!).searchParams));
      expect(page3.entry).toHaveLength(1);
      // the total without a COUNT where the page tells it (last page), with one where it cannot (full page, past the end)
      expect(page3.total).toBe(5);
      expect((await fhir.search('Patient', { family: 'pager', _count: '5' })).total).toBe(5);
      expect((await fhir.search('Patient', { family: 'pager', _count: '2', _offset: '10' })).total).toBe(5);
      expect((await fhir.search('Patient', { family: 'pager', _count: '2', _offset: '3' })).total).toBe(5);
      expect((await fhir.search('Patient', { family: 'pager', _total: 'none' })).total).toBeUndefined();
      expect(page3.link?.some((l) => l.relation === 'next')).toBe(false);
      const all = await fhir.search('Patient', { family: 'pager', _count: '10', _sort: '-_id' });
      const got = ids(all);
      expect(got).toEqual([...got].sort().reverse());
      expect((await fhir.search('Patient', { family: 'pager', _summary: 'count' })).entry).toEqual([]);
    });

    it.skipIf(!HAS_SYNTHEA)('imports a Synthea bundle with coverage, and builds the patient bundle', async () => {
      const bundle = loadSynthea();
      const r = await fhir.importBundle(bundle, { withCoverage: 'Acme Health', plans: ['acme-gold'] });
      expect(r).toMatchObject({ created: 72, updated: 0, unchanged: 0, coverages: 1, patients: [SMALL_PATIENT_ID] });
      expect(r.byType).toMatchObject({ Patient: 1, Observation: 48, Coverage: 1, Organization: 2 });
      // Ids are kept and urn:uuid references rewritten.
      const enc = await fhir.search('Encounter', { patient: SMALL_PATIENT_ID, _sort: '_id' });
      expect(enc.total).toBe(3);
      expect(JSON.stringify(enc)).not.toContain('urn:uuid');
      expect((await fhir.search('Condition', { patient: SMALL_PATIENT_ID, code: 'http://snomed.info/sct|162864005', 'clinical-status': 'active' })).total).toBe(1);
      const cov = (await fhir.search('Coverage', { patient: SMALL_PATIENT_ID, status: 'active' })).entry?.[0]?.resource as Coverage;
      expect(cov.class?.[0]).toMatchObject({ value: 'acme-gold', name: 'Acme Gold' });
      expect(cov.payor[0]).toMatchObject({ reference: 'Organization/payer-acme-health', display: 'Acme Health' });

      const pb = (await fhir.patientBundle(SMALL_PATIENT_ID))!;
      expect(pb.entry?.[0]?.resource?.id).toBe(SMALL_PATIENT_ID);
      const types = new Set(pb.entry?.map((e) => e.resource?.resourceType));
      for (const ty of ['Patient', 'Coverage', 'Condition', 'Encounter', 'Observation', 'Procedure', 'Claim', 'Organization', 'Practitioner']) expect(types).toContain(ty);
      expect(types.has('ExplanationOfBenefit')).toBe(false);
      expect(ids(pb, 'Organization').sort()).toEqual(['6f122869-a856-3d65-8db9-099bf4f5bbb8', 'payer-acme-health']);
      expect(await fhir.patientBundle('no-such-patient')).toBeNull();

      // Re-import: nothing changes; a broken copy stores nothing.
      const again = await fhir.importBundle(bundle, { withCoverage: 'Acme Health', plans: ['acme-gold'] });
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 72 });
      const broken = loadSynthea();
      (broken.entry![5]!.resource as unknown as { status?: number }).status = 42;
      (broken.entry![0]!.resource as Patient).id = 'other-patient';
      const before = await fhir.counts();
      const err = await rejects(fhir.importBundle(broken));
      expect(err.code).toBe('FHIR_RESOURCE_INVALID');
      expect(err.problems?.[0]?.field).toMatch(/^Bundle\.entry\[5\]\.resource\.status$/);
      expect(await fhir.counts()).toEqual(before);

      const page = await fhir.listPatients({ name: 'kreig' });
      expect(page.items).toEqual([{ id: SMALL_PATIENT_ID, name: 'Mr. Clemente Kreiger', birthDate: expect.any(String), gender: 'male', coverage: 'Acme Health — Acme Gold' }]);
    });
  });
}
