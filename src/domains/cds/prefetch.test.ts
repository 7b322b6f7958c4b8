/** Prefetch templates: token rendering, query parsing, and resolution from prefetch / a data source / neither. */
import { describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirDataSource } from '../fhir/source.ts';
import { parseQuery, patientBundleFrom, renderTemplate, resolvePrefetch, resourcesOf } from './prefetch.ts';

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
