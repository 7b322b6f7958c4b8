/** Search internals: FHIR date ranges, query parsing, index rows. */
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { dateRange, indexRows, parseReference, parseSearch, patientOf } from './search.ts';

describe('FHIR search internals', () => {
  it('turns FHIR dates into UTC instant ranges', () => {
    expect(dateRange('2020')).toEqual({ lo: '2020-01-01T00:00:00.000Z', hi: '2020-12-31T23:59:59.999Z' });
    expect(dateRange('2020-02')).toEqual({ lo: '2020-02-01T00:00:00.000Z', hi: '2020-02-29T23:59:59.999Z' });
    expect(dateRange('2020-03-04')).toEqual({ lo: '2020-03-04T00:00:00.000Z', hi: '2020-03-04T23:59:59.999Z' });
    expect(dateRange('2012-09-10T15:29:24+02:00')).toEqual({ lo: '2012-09-10T13:29:24.000Z', hi: '2012-09-10T13:29:24.999Z' });
    expect(dateRange('2012-09-10T15:29:24.5Z')).toEqual({ lo: '2012-09-10T15:29:24.500Z', hi: '2012-09-10T15:29:24.500Z' });
    expect(dateRange('10/09/2012')).toBeNull();
  });

  it('refuses dates whose fields are out of FHIR range instead of rolling them over', () => {
    for (const bad of ['2020-13-45', '2020-00', '2021-02-29', '2020-04-31', '2020-01-01T24:00:00Z', '2020-01-01T10:60:00Z', '2020-01-01T10:00:00+15:00']) {
      expect(dateRange(bad), bad).toBeNull();
    }
    expect(dateRange('2020-02-29')).not.toBeNull();
    expect(dateRange('2016-12-31T23:59:60Z')).not.toBeNull();
    expect(dateRange('2020-01-01T10:00:00+14:00')).not.toBeNull();
    expect(() => parseSearch('Patient', { birthdate: 'ge2020-13-45' })).toThrow(/birthdate: "ge2020-13-45" is not a FHIR date/);
  });

  it('parses references, tokens, dates, includes and rejects what it cannot honour', () => {
    expect(parseReference('http://x.org/fhir/Patient/123/_history/2')).toEqual({ type: 'Patient', id: '123' });
    expect(parseReference('#contained')).toBeNull();
    const p = parseSearch('Coverage', { patient: 'Patient/1', status: 'active,draft', _include: 'Coverage:payor', _count: '5', _offset: '10', _sort: '-_lastUpdated' });
    expect(p.filters).toEqual([
      { param: 'patient', values: [{ kind: 'reference', type: 'Patient', id: '1' }] },
      { param: 'status', values: [{ kind: 'token', code: 'active' }, { kind: 'token', code: 'draft' }] },
    ]);
    expect(p).toMatchObject({ count: 5, offset: 10, include: [{ source: 'Coverage', param: 'payor' }], sort: [{ column: 'last_updated', desc: true }] });
    expect(parseSearch('Condition', { code: 'http://snomed.info/sct|444814009' }).filters[0]!.values).toEqual([{ kind: 'token', system: 'http://snomed.info/sct', code: '444814009' }]);
    expect(parseSearch('Encounter', { date: 'ge2020-01-01' }).filters[0]!.values[0]).toMatchObject({ kind: 'date', prefix: 'ge', lo: '2020-01-01T00:00:00.000Z' });
    for (const bad of [{ nope: '1' }, { 'patient.name': 'x' }, { _include: 'Coverage:status' }, { _sort: 'date' }, { _count: '-1' }, { 'status:exact': 'x' }]) {
      expect(() => parseSearch('Coverage', bad)).toThrow(AppError);
    }
  });

  it('indexes names, identifiers, references and periods, and finds the patient compartment', () => {
    const patient: Patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Müller', given: ['Zoë'] }], identifier: [{ system: 'urn:mrn', value: '7' }], birthDate: '1970-01-01' };
    const rows = indexRows(patient);
    expect(rows).toEqual(expect.arrayContaining([
      { param: 'name', system: null, code: 'muller', value: 'Müller' },
      { param: 'given', system: null, code: 'zoe', value: 'Zoë' },
      { param: 'identifier', system: 'urn:mrn', code: '7', value: null },
      { param: 'birthdate', system: null, code: '1970-01-01T00:00:00.000Z', value: '1970-01-01T23:59:59.999Z' },
    ]));
    expect(patientOf(patient, rows)).toBe('p1');
    const enc: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, participant: [{ individual: { reference: 'Practitioner/d1' } }], period: { start: '2020-01-01' } };
    const er = indexRows(enc);
    expect(er).toEqual(expect.arrayContaining([
      { param: 'patient', system: 'Patient', code: 'p1', value: null },
      { param: 'practitioner', system: 'Practitioner', code: 'd1', value: null },
      { param: 'date', system: null, code: '2020-01-01T00:00:00.000Z', value: '9999-12-31T23:59:59.999Z' },
    ]));
    expect(patientOf(enc, er)).toBe('p1');
  });
});
