import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { createRuleEngine } from './engine.ts';
import {
  coverage,
  HAS_SYNTHEA,
  medicationOrder,
  openTestDb,
  patientWith,
  RESOLVED_SINUSITIS,
  serviceOrder,
  silentLogger,
  syntheaBundle,
  WITH_SINUSITIS,
  WITHOUT_SINUSITIS,
} from './testing.ts';
import type { RuleService } from './types.ts';

const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const gold = coverage('acme-gold', 'Acme Gold');
const standard = coverage('acme-standard', 'Acme Standard');

let db: Kysely<Database>;
let close: () => Promise<void>;
let engine: RuleService;

beforeAll(async () => {
  ({ db, close } = await openTestDb());
  engine = createRuleEngine({ db, logger: silentLogger });
  await engine.list(); // seeds and compiles the built-ins once
}, 120_000);
afterAll(async () => close());

async function sinusitis(bundle: Parameters<RuleService['test']>[1]['patientBundle']): Promise<Record<string, unknown>> {
  return (await engine.test('Sinusitis', { patientBundle: bundle, order: medicationOrder(), coverage: null })).results;
}

describe('Sinusitis', () => {
  it.skipIf(!HAS_SYNTHEA)('is true for a Synthea patient with an active chronic sinusitis, false without one or with only resolved episodes', async () => {
    const withIt = await sinusitis(syntheaBundle(WITH_SINUSITIS));
    expect(withIt['Has Active Sinusitis']).toBe(true);
    expect(withIt['Has Chronic Sinusitis']).toBe(true);
    expect((withIt['Active Chronic Sinusitis'] as { code: { coding: { code: string }[] } }[])[0]?.code.coding[0]?.code).toBe('40055000');
    expect((await sinusitis(syntheaBundle(WITHOUT_SINUSITIS)))['Has Active Sinusitis']).toBe(false);
    const resolved = await sinusitis(syntheaBundle(RESOLVED_SINUSITIS));
    expect(resolved['Has Active Sinusitis']).toBe(false); // Synthea's viral sinusitis episodes all resolved
  }, 60_000);

  it('matches acute vs chronic codes in SNOMED CT and ICD-10-CM, active only', async () => {
    const acuteIcd = await sinusitis(patientWith([{ system: ICD10, code: 'J01.90' }]));
    expect(acuteIcd).toMatchObject({ 'Has Acute Sinusitis': true, 'Has Chronic Sinusitis': false, 'Has Active Sinusitis': true });
    const chronicIcd = await sinusitis(patientWith([{ system: ICD10, code: 'J32.9' }]));
    expect(chronicIcd).toMatchObject({ 'Has Acute Sinusitis': false, 'Has Chronic Sinusitis': true });
    const viral = await sinusitis(patientWith([{ system: SNOMED, code: '444814009' }]));
    expect(viral).toMatchObject({ 'Has Acute Sinusitis': true, 'Has Chronic Sinusitis': false });
    const resolved = await sinusitis(patientWith([{ system: SNOMED, code: '40055000', status: 'resolved' }]));
    expect(resolved['Has Active Sinusitis']).toBe(false);
    const recurrence = await sinusitis(patientWith([{ system: SNOMED, code: '75498004', status: 'recurrence' }]));
    expect(recurrence['Has Active Sinusitis']).toBe(true);
    const otherDisease = await sinusitis(patientWith([{ system: SNOMED, code: '44054006' }]));
    expect(otherDisease['Has Active Sinusitis']).toBe(false);
    // the same code in the wrong system does not match
    expect((await sinusitis(patientWith([{ system: ICD10, code: '40055000' }])))['Has Active Sinusitis']).toBe(false);
  }, 60_000);
});

describe('AmoxicillinPriorAuth via evaluateOrder', () => {
  const withSinusitis = patientWith([{ system: SNOMED, code: '40055000' }]);
  const without = patientWith([]);
  const evaluate = (bundle: typeof without, cov: typeof gold | null, order = medicationOrder()) =>
    engine.evaluateOrder({ hook: 'order-sign', patientBundle: bundle, order, coverage: cov });

  it('depends on the diagnosis and the plan', async () => {
    const stdWith = await evaluate(withSinusitis, standard);
    expect(stdWith).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' });
    expect(stdWith.rules.map((r) => r.library)).toEqual(['AmoxicillinPriorAuth']);

    const stdWithout = await evaluate(without, standard);
    expect(stdWithout).toMatchObject({ covered: 'covered', paNeeded: 'auth-needed', docNeeded: ['clinical'], docPurpose: ['withpa'] });
    expect(stdWithout.summary).toBe('Prior authorization required for amoxicillin (Acme Standard plan): no sinusitis on record');
    expect(stdWithout.summary.length).toBeLessThanOrEqual(140);
    expect(stdWithout.detail).toContain('No active sinusitis diagnosis on record; the Acme Standard plan requires prior authorization for amoxicillin without one');

    const goldWithout = await evaluate(without, gold);
    expect(goldWithout).toMatchObject({ covered: 'covered', paNeeded: 'no-auth', docNeeded: ['clinical'], docPurpose: ['retain-doc'] });
    const goldWith = await evaluate(withSinusitis, gold);
    expect(goldWith).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' });
    expect(goldWith.docNeeded).toBeUndefined();
  }, 60_000);

  it.skipIf(!HAS_SYNTHEA)('gives different answers for different Synthea patients on the same plan', async () => {
    const a = await evaluate(syntheaBundle(WITH_SINUSITIS), standard, medicationOrder('562251', 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet'));
    const b = await evaluate(syntheaBundle(WITHOUT_SINUSITIS), standard, medicationOrder('562251', 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet'));
    expect(a.paNeeded).toBe('no-auth');
    expect(b.paNeeded).toBe('auth-needed');
  }, 60_000);

  it('is not a constant: another drug or plan gets no opinion from the rule', async () => {
    const ibuprofen = await evaluate(without, standard, medicationOrder('197806', 'ibuprofen 600 MG Oral Tablet'));
    expect(ibuprofen).toMatchObject({ covered: 'covered', paNeeded: 'no-auth', rules: [] });
    const otherPlan = await evaluate(without, coverage('other-plan', 'Other Plan'));
    expect(otherPlan.rules).toEqual([]);
  }, 60_000);

  it('no coverage follows CRD: not-covered with reason coverage-not-found', async () => {
    const d = await evaluate(withSinusitis, null);
    expect(d).toMatchObject({ covered: 'not-covered', reasons: [{ code: 'coverage-not-found' }], rules: [] });
    const cancelled = await evaluate(withSinusitis, coverage('acme-gold', 'Acme Gold', 'cancelled'));
    expect(cancelled).toMatchObject({ covered: 'not-covered', reasons: [{ code: 'no-active-coverage' }] });
    const noPatient = await evaluate({ resourceType: 'Bundle', type: 'collection', entry: [] }, gold);
    expect(noPatient).toMatchObject({ covered: 'not-covered', reasons: [{ code: 'no-member-found' }] });
  });
});

describe('TablePolicy', () => {
  it('applies the policy table per plan and changes when the table is edited', async () => {
    const patient = patientWith([]);
    const mri = serviceOrder('72148', 'MRI lumbar spine without contrast');
    const std = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: mri, coverage: standard });
    expect(std).toMatchObject({ covered: 'covered', paNeeded: 'auth-needed', billingCodes: [{ system: 'http://www.ama-assn.org/go/cpt', code: '72148' }] });
    expect(std.rules).toEqual([{ library: 'TablePolicy', version: '1.0.0', expression: 'Decision' }]);
    const gld = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: mri, coverage: gold });
    expect(gld).toMatchObject({ covered: 'covered', paNeeded: 'no-auth', docNeeded: ['clinical'], docPurpose: ['withorder'] });
    const bleph = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: serviceOrder('15823', 'Blepharoplasty'), coverage: standard });
    expect(bleph.covered).toBe('not-covered');

    const before = await engine.getPolicy();
    await engine.putPolicy([...before.rows.filter((r) => !(r.code === '72148' && r.plan === 'acme-standard')), { plan: 'acme-standard', system: 'cpt', code: '72148', display: 'MRI lumbar spine', requirement: 'none' }]);
    const after = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: mri, coverage: standard });
    expect(after).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' });
    expect(after.rules.map((r) => r.library)).toEqual(['TablePolicy']);
    await engine.putPolicy(before.rows);
  }, 60_000);

  it('rejects invalid rows, naming the row and field', async () => {
    await expect(engine.putPolicy([{ plan: 'acme-gold', system: 'cpt', code: '1', requirement: 'maybe' }])).rejects.toMatchObject({
      code: 'RULE_POLICY_INVALID',
      problems: [expect.objectContaining({ row: 1, field: 'requirement' })],
    });
    await expect(engine.putPolicy('plan,system,code,display,requirement\nacme-gold,cpt,72148,MRI,pa\n,cpt,1,x,none\n')).rejects.toMatchObject({
      problems: [expect.objectContaining({ row: 2, field: 'plan' })],
    });
  });

  it('merges several libraries: the most restrictive decision wins and both are recorded', async () => {
    const before = await engine.getPolicy();
    // amoxicillin on the gold plan without sinusitis: the CQL rule says no-auth + documentation; make the table say PA
    await engine.putPolicy([...before.rows, { plan: 'acme-gold', system: 'rxnorm', code: '308182', display: 'amoxicillin 250 MG Oral Capsule', requirement: 'pa' }]);
    const d = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patientWith([]), order: medicationOrder(), coverage: gold });
    expect(d.paNeeded).toBe('auth-needed');
    expect(d.rules.map((r) => r.library)).toEqual(['TablePolicy', 'AmoxicillinPriorAuth']);
    expect(d.docNeeded).toEqual(['clinical']);
    expect(d.docPurpose?.sort()).toEqual(['retain-doc', 'withpa']);
    await engine.putPolicy(before.rows);
  }, 60_000);
});

describe('patientView', () => {
  it('reports sinusitis findings from patient libraries', async () => {
    const f = await engine.patientView({ patientBundle: patientWith([{ system: SNOMED, code: '40055000' }]) });
    expect(f).toEqual([expect.objectContaining({ summary: 'Active chronic sinusitis on record', indicator: 'info', library: 'Sinusitis' })]);
    expect(await engine.patientView({ patientBundle: patientWith([]) })).toEqual([]);
  });
});

describe('which order libraries run', () => {
  const upload = (name: string, appliesTo: string) => `library ${name} version '1.0.0'
${appliesTo}
using FHIR version '4.0.1'
include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common
parameter "Order" FHIR.Resource
context Patient
define "Decision": Common."Decision"('covered', 'no-auth', 'admin', 'withorder', null, '${name} always answers', '${name} answered')
`;

  it('skips a library whose @appliesTo rules the order out; one without a declaration runs for every order', async () => {
    await engine.add({ cql: upload('OnlyServiceRequests', '// @appliesTo {"resourceTypes": ["ServiceRequest"]}') });
    await engine.add({ cql: upload('EveryOrder', '') });
    await engine.setStatus('OnlyServiceRequests', 'enabled');
    await engine.setStatus('EveryOrder', 'enabled');
    try {
      const patient = patientWith([]);
      const med = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: medicationOrder('197806', 'ibuprofen'), coverage: standard });
      expect(med.rules.map((r) => r.library)).toEqual(['EveryOrder']);
      const svc = await engine.evaluateOrder({ hook: 'order-sign', patientBundle: patient, order: serviceOrder(), coverage: standard });
      expect(svc.rules.map((r) => r.library).sort()).toEqual(['EveryOrder', 'OnlyServiceRequests', 'TablePolicy']);
    } finally {
      await engine.remove('OnlyServiceRequests');
      await engine.remove('EveryOrder');
    }
  }, 60_000);

  it('test runs the chosen library even for an order outside its scope', async () => {
    const out = await engine.test('AmoxicillinPriorAuth', { patientBundle: patientWith([]), order: serviceOrder(), coverage: standard });
    expect(out.results['Is Amoxicillin']).toBe(false);
    expect(out.decision).toMatchObject({ rules: [] });
  });

  it('rereads a Bundle whose entries changed between calls (the wrapped patient is shared per unchanged Bundle)', async () => {
    const bundle = patientWith([]);
    expect((await engine.evaluateOrder({ hook: 'order-sign', patientBundle: bundle, order: medicationOrder(), coverage: standard })).paNeeded).toBe('auth-needed');
    bundle.entry?.push(...(patientWith([{ system: SNOMED, code: '40055000' }]).entry ?? []).slice(1));
    expect((await engine.evaluateOrder({ hook: 'order-sign', patientBundle: bundle, order: medicationOrder(), coverage: standard })).paNeeded).toBe('no-auth');
    const replaced = { ...bundle, entry: bundle.entry?.slice(0, 1) };
    expect((await engine.evaluateOrder({ hook: 'order-sign', patientBundle: replaced, order: medicationOrder(), coverage: standard })).paNeeded).toBe('auth-needed');
  });
});
