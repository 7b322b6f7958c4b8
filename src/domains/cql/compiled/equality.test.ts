/**
 * The compiled evaluator decides exactly as cql-execution (issue 17, ADR 0007): for every Synthea patient, both
 * plans and both sample orders (and patient-view findings) the fast path's outcomes — answered by compiled code,
 * not by the fallback — equal the reference path's (every define on cql-execution); and on edge data (missing or
 * null fields, statuses, wrong code systems, choice types, primitives carried by extensions, no Patient, several
 * Coverages, a custom policy table) they are equal too, compiled where the compiled code can vouch for the data
 * and bailed to cql-execution where it cannot.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle, Condition, Coverage, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../storage/schema.ts';
import { createRuleEngine } from '../engine.ts';
import { coverage, CPT, HAS_SYNTHEA, medicationOrder, openTestDb, serviceOrder, silentLogger, SYNTHEA_DIR } from '../testing.ts';
import type { PolicyRow } from '../types.ts';
import { compiledStatus } from './index.ts';
import { compiledServices } from '../execute.ts';
import { builtinElm, compareFindings, compareOrder, runnablesOver } from './testing.ts';
import { FINDINGS_EXPRESSIONS, ORDER_EXPRESSIONS } from '../run.ts';

const runnables = runnablesOver(builtinElm());
const PLANS = [coverage('acme-gold', 'Acme Gold'), coverage('acme-standard', 'Acme Standard')];
const ORDERS: Resource[] = [medicationOrder(), serviceOrder()];
const SNOMED = 'http://snomed.info/sct';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

const bundleOf = (...resources: unknown[]): Bundle => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((r) => ({ resource: r as Resource })) });
const patient = { resourceType: 'Patient', id: 'p1' };
const sinusitis = (id: string, extra: Partial<Condition> & Record<string, unknown> = {}): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: 'Patient/p1' },
  clinicalStatus: { coding: [{ system: CLINICAL, code: 'active' }] },
  code: { coding: [{ system: SNOMED, code: '40055000' }] },
  ...extra,
});

describe('the built-in libraries', () => {
  it('are compiled (decided once per library object)', () => {
    for (const name of ['AmoxicillinPriorAuth', 'TablePolicy']) expect(compiledStatus(runnables(name), ORDER_EXPRESSIONS, compiledServices), name).toEqual({ compiled: true });
    expect(compiledStatus(runnables('Sinusitis'), FINDINGS_EXPRESSIONS, compiledServices)).toEqual({ compiled: true });
  });
});

describe('compiled = reference on the Synthea patients', () => {
  it.skipIf(!HAS_SYNTHEA)('every patient x both plans x both sample orders, and the findings', async () => {
    const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort();
    const decisions = new Set<string>();
    let compiled = 0;
    for (const file of files) {
      const bundle = JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, file))).toString('utf8')) as Bundle;
      for (const plan of PLANS) {
        for (const order of ORDERS) {
          const r = await compareOrder(runnables, { bundle, order, coverage: plan });
          expect(r.fast, `${file} ${plan.id} ${order.resourceType}`).toBe(r.reference);
          expect(r.fallback + r.bailed, file).toBe(0);
          compiled += r.compiled;
          decisions.add(r.fast.replace(/"[0-9a-f-]{36}"/g, ''));
        }
      }
      const f = await compareFindings(runnables, bundle);
      expect(f.fast, file).toBe(f.reference);
      expect(f.compiled, file).toBe(1);
    }
    expect(compiled).toBe(files.length * PLANS.length * ORDERS.length * 2);
    expect(decisions.size).toBeGreaterThan(4); // sinusitis or not, both plans, both orders
  }, 600_000);
});

describe('compiled = reference on edge data', () => {
  const cases: [string, Bundle, Coverage | null, Resource?][] = [
    ['an active chronic sinusitis', bundleOf(patient, sinusitis('c')), PLANS[1]!],
    ['no clinicalStatus', bundleOf(patient, sinusitis('c', { clinicalStatus: undefined })), PLANS[1]!],
    ['clinicalStatus without codings', bundleOf(patient, sinusitis('c', { clinicalStatus: { text: 'active' } })), PLANS[1]!],
    ['recurrence among two codings', bundleOf(patient, sinusitis('c', { clinicalStatus: { coding: [{ system: 'http://example.org', code: 'x' }, { system: CLINICAL, code: 'recurrence' }] } })), PLANS[1]!],
    ['a status code in other case', bundleOf(patient, sinusitis('c', { clinicalStatus: { coding: [{ system: CLINICAL, code: 'Active' }] } })), PLANS[1]!],
    ['entered-in-error', bundleOf(patient, sinusitis('c', { verificationStatus: { coding: [{ system: VERIFICATION, code: 'entered-in-error' }] } })), PLANS[1]!],
    ['refuted', bundleOf(patient, sinusitis('c', { verificationStatus: { coding: [{ system: VERIFICATION, code: 'refuted' }] } })), PLANS[0]!],
    ['the right code in the wrong system', bundleOf(patient, sinusitis('c', { code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: '40055000' }] } })), PLANS[1]!],
    ['a coding without a system', bundleOf(patient, sinusitis('c', { code: { coding: [{ code: '40055000' }] } })), PLANS[1]!],
    ['a Condition without a code', bundleOf(patient, sinusitis('c', { code: undefined })), PLANS[1]!],
    ['the same Condition twice (acute and chronic)', bundleOf(patient, sinusitis('c', { code: { coding: [{ system: SNOMED, code: '40055000' }, { system: SNOMED, code: '444814009' }] } })), PLANS[1]!],
    ['two Conditions without ids', bundleOf(patient, sinusitis('x', { id: undefined }), sinusitis('y', { id: undefined })), PLANS[1]!],
    ['no Coverage', bundleOf(patient, sinusitis('c')), null],
    ['a Coverage without class', bundleOf(patient), { ...PLANS[1]!, class: undefined }],
    ['a plan class without type', bundleOf(patient), { ...PLANS[1]!, class: [{ value: 'acme-standard' } as never] }],
    ['a plan matched by its name only', bundleOf(patient), { ...PLANS[1]!, class: [{ ...PLANS[1]!.class![0]!, value: 'ACME-STD-01', name: 'ACME-STANDARD' }] }],
    ['a medicationReference order', bundleOf(patient), PLANS[1]!, { resourceType: 'MedicationRequest', id: 'm', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' }, medicationReference: { reference: 'Medication/x' } }],
    ['a DeviceRequest coded by HCPCS', bundleOf(patient), PLANS[0]!, { resourceType: 'DeviceRequest', id: 'd', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' }, codeCodeableConcept: { coding: [{ system: 'https://bluebutton.cms.gov/resources/codesystem/hcpcs', code: 'E0424' }] } } as Resource],
    ['a ServiceRequest without code', bundleOf(patient), PLANS[0]!, { resourceType: 'ServiceRequest', id: 's', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' } }],
    ['an order code carried only by its extension', bundleOf(patient), PLANS[1]!, { ...serviceOrder(), code: { coding: [{ system: CPT, _code: { extension: [] } }] } } as unknown as Resource],
    ['no Patient in the bundle', bundleOf(sinusitis('c')), PLANS[1]!],
    ['an empty bundle', { resourceType: 'Bundle', type: 'collection' }, PLANS[1]!],
  ];
  for (const [name, bundle, cov, order] of cases) {
    it(name, async () => {
      for (const o of order ? [order] : ORDERS) {
        const r = await compareOrder(runnables, { bundle, order: o, coverage: cov });
        expect(r.fast).toBe(r.reference);
        expect(r.fallback).toBe(0);
      }
      const f = await compareFindings(runnables, bundle);
      expect(f.fast).toBe(f.reference);
    });
  }

  it('bails to cql-execution exactly where the data is beyond the compiled code', async () => {
    const ext = await compareOrder(runnables, { bundle: bundleOf(patient), order: cases.find((c) => c[0].includes('extension'))![3]!, coverage: PLANS[1]! });
    expect(ext.bailed).toBeGreaterThan(0);
    const noPatient = await compareOrder(runnables, { bundle: bundleOf(sinusitis('c')), order: medicationOrder(), coverage: PLANS[1]! });
    expect(noPatient).toMatchObject({ compiled: 0, bailed: 2 });
    const twin = await compareOrder(runnables, { bundle: bundleOf(patient, sinusitis('x', { id: undefined }), sinusitis('y', { id: undefined })), order: medicationOrder(), coverage: PLANS[1]! });
    expect(twin.bailed).toBe(1); // two id-less Conditions: distinct needs cql-execution's whole-content comparison
    const plain = await compareOrder(runnables, { bundle: bundleOf(patient, sinusitis('c')), order: medicationOrder(), coverage: PLANS[1]! });
    expect(plain).toMatchObject({ compiled: 2, bailed: 0 });
  });

  it('a custom policy table: several matching rows, notes, docNeeded, a wildcard plan, billing codes', async () => {
    const row = (r: Partial<PolicyRow>): PolicyRow => ({ plan: 'acme-gold', system: CPT, code: '72148', display: 'MRI', requirement: 'doc', ...r });
    const policy = [row({}), row({ plan: '*', docNeeded: 'admin', note: 'n1' }), row({ plan: 'ACME-GOLD', code: '97110', display: 'MRI' }), row({ plan: 'other', requirement: 'pa' })];
    const order = { ...serviceOrder(), code: { coding: [{ system: CPT, code: '72148' }, { system: CPT, code: '97110' }] } } as Resource;
    for (const plan of PLANS) {
      const r = await compareOrder(runnables, { bundle: bundleOf(patient), order, coverage: plan, policy });
      expect(r.fast).toBe(r.reference);
      expect(r.compiled).toBe(2);
    }
  });
});

describe('through the engine', () => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDb()), 60_000);
  afterAll(async () => close());

  it('decides the same with several Coverages in the bundle (the engine picks one)', async () => {
    const fast = createRuleEngine({ db, logger: silentLogger, threads: 0 });
    const reference = createRuleEngine({ db, logger: silentLogger, evaluation: 'reference' });
    try {
      const other = { ...PLANS[0]!, id: 'cov-2', order: 2 } as Coverage;
      const bundle = bundleOf(patient, sinusitis('c', { verificationStatus: { coding: [{ system: VERIFICATION, code: 'refuted' }] } }), PLANS[1], other);
      for (const order of ORDERS) {
        const input = { hook: 'order-sign' as const, patientBundle: bundle, order, coverage: PLANS[1]! };
        expect(await fast.evaluateOrder(structuredClone(input))).toEqual(await reference.evaluateOrder(input));
      }
      expect(await fast.patientView({ patientBundle: bundle })).toEqual(await reference.patientView({ patientBundle: bundle }));
      // `rules test` says how the hooks evaluate a library
      const tested = await fast.test('AmoxicillinPriorAuth', { patientBundle: bundle, order: medicationOrder(), coverage: PLANS[1]! });
      expect(tested.fastPath).toEqual({ compiled: true });
    } finally {
      await Promise.all([fast.close(), reference.close()]);
    }
  }, 120_000);
});
