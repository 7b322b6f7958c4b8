import { describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { applies, appliesToOf, orderCodings, parseAppliesTo, planKeys, type ApplicabilityContext } from './applicability.ts';
import { coverage, CPT, medicationOrder, serviceOrder } from './testing.ts';
import type { PolicyRow } from './types.ts';

const AMOX = 'http://sagebrush.local/fhir/ValueSet/amoxicillin-oral';
const policy: PolicyRow[] = [
  { plan: 'acme-standard', system: CPT, code: '72148', display: 'MRI lumbar spine', requirement: 'pa' },
  { plan: '*', system: CPT, code: '15823', display: 'Blepharoplasty', requirement: 'not-covered' },
];
const ctx = (order: Resource, plan = 'acme-standard', name = 'Acme Standard'): ApplicabilityContext => ({
  order,
  coverage: coverage(plan, name),
  policy,
  valueSetCodes: (url) => (url === AMOX ? ['308182', '308191'] : null),
});
const builtin = (name: string) => appliesToOf({ name, builtin: true, cql: null });

describe('order library applicability', () => {
  it('runs the amoxicillin rule only for orders carrying an amoxicillin code', () => {
    const amox = builtin('AmoxicillinPriorAuth');
    expect(applies(amox, ctx(medicationOrder('308191')))).toBe(true);
    expect(applies(amox, ctx(medicationOrder('197806', 'ibuprofen')))).toBe(false);
    expect(applies(amox, ctx(serviceOrder()))).toBe(false);
    // a value set the CodeService does not know: CQL decides
    expect(applies({ valueSets: ['http://x/unknown'] }, ctx(serviceOrder()))).toBe(true);
  });

  it('runs the table rule only when a row matches the plan (id or name, any case, or *) and an order code', () => {
    const table = builtin('TablePolicy');
    expect(applies(table, ctx(serviceOrder('72148')))).toBe(true);
    expect(applies(table, ctx(serviceOrder('72148'), 'x', 'ACME-STANDARD'))).toBe(true);
    expect(applies(table, ctx(serviceOrder('72148'), 'acme-gold', 'Acme Gold'))).toBe(false);
    expect(applies(table, ctx(serviceOrder('15823'), 'acme-gold', 'Acme Gold'))).toBe(true);
    expect(applies(table, ctx(serviceOrder('99999')))).toBe(false);
    expect(applies(table, ctx({ ...serviceOrder('72148'), code: { coding: [{ system: 'other', code: '72148' }] } } as Resource))).toBe(false);
    expect(applies(table, ctx(medicationOrder()))).toBe(false);
  });

  it('keeps every library without a declaration, and reads an upload\'s @appliesTo comment', () => {
    expect(appliesToOf({ name: 'Sinusitis', builtin: true, cql: null })).toBeNull();
    expect(appliesToOf({ name: 'AmoxicillinPriorAuth', builtin: false, cql: 'library AmoxicillinPriorAuth' })).toBeNull();
    expect(applies(null, ctx(serviceOrder()))).toBe(true);
    const decl = appliesToOf({ name: 'Cpap', builtin: false, cql: `library Cpap version '1'\n// @appliesTo {"resourceTypes": ["DeviceRequest"], "codes": [{"code": "E0601"}]}\n` });
    expect(decl).toEqual({ resourceTypes: ['DeviceRequest'], codes: [{ code: 'E0601' }] });
    expect(applies(decl, ctx(serviceOrder('E0601')))).toBe(false);
    const device = { resourceType: 'DeviceRequest', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' }, codeCodeableConcept: { coding: [{ system: 'hcpcs', code: 'E0601' }] } } as Resource;
    expect(applies(decl, ctx(device))).toBe(true);
    expect(applies({ resourceTypes: ['DeviceRequest'] }, ctx(device))).toBe(true);
    // malformed declarations are ignored (the library runs for every order)
    expect(appliesToOf({ name: 'X', builtin: false, cql: '// @appliesTo {"resourceTypes": "ServiceRequest"}' })).toBeNull();
    expect(appliesToOf({ name: 'X', builtin: false, cql: '// @appliesTo {not json}' })).toBeNull();
    expect(parseAppliesTo({ codes: [{ system: 1, code: 'x' }] })).toBeNull();
    expect(parseAppliesTo({})).toBeNull();
  });

  it('reads order codes and plan keys the way CoverageCommon does, never fewer', () => {
    expect(orderCodings(medicationOrder('308182')).map((c) => c.code)).toEqual(['308182']);
    expect(orderCodings(serviceOrder('72148')).map((c) => [c.system, c.code])).toEqual([[CPT, '72148']]);
    expect(orderCodings({ resourceType: 'MedicationRequest', medicationReference: { reference: 'Medication/1' } } as Resource)).toEqual([]);
    expect([...planKeys(coverage('acme-gold', 'Acme Gold'))].sort()).toEqual(['acme gold', 'acme-gold']);
    expect(planKeys(null).size).toBe(0);
  });
});
