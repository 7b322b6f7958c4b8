/**
 * Issue 17 (throughput): the CDS path's cheaper evaluation decides exactly as the reference path. (1) Only the
 * defines a decision reads are evaluated: a define nothing reads that would throw no longer fails the rule (the
 * reference path, every define, still does). (2) The rules get only the Patient and the resource types they
 * retrieve (retrieves.ts), and a Retrieve that cannot be pinned to a base FHIR type keeps the whole Bundle.
 * (3) For every Synthea patient of the shared data (whole record, every resource type), both plans and both
 * sample orders, the pooled fast path's decision and findings equal the reference path's (every define, the whole
 * Bundle, on this thread; skipped with a message when ../shared is absent).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../storage/schema.ts';
import { createRuleEngine, type RuleEngineService } from './engine.ts';
import { valueSetCodings } from './execute.ts';
import { retrievable, retrievalPlan, type RetrievalPlan } from './retrieves.ts';
import { coverage, HAS_SYNTHEA, medicationOrder, openTestDb, patientWith, serviceOrder, silentLogger, SYNTHEA_DIR } from './testing.ts';
import { LIBRARY_DIR } from './translate.ts';

if (!HAS_SYNTHEA) console.warn(`fastPath.test: Synthea bundles not found under ${SYNTHEA_DIR}; the fast = reference comparison on them is skipped.`);

const PLANS = [coverage('acme-gold', 'Acme Gold'), coverage('acme-standard', 'Acme Standard')];
const ORDERS: Resource[] = [medicationOrder(), serviceOrder()];
const elm = (name: string) => JSON.parse(readFileSync(join(LIBRARY_DIR, 'elm', `${name}.json`), 'utf8')) as Record<string, unknown>;

let db: Kysely<Database>;
let close: () => Promise<void>;
const engines: RuleEngineService[] = [];
function engine(options: Partial<Parameters<typeof createRuleEngine>[0]>): RuleEngineService {
  const e = createRuleEngine({ db, logger: silentLogger, ...options });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  ({ db, close } = await openTestDb());
  await engine({ threads: 0 }).list(); // seed the built-ins once
}, 120_000);
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await close();
});

describe('the defines a decision reads', () => {
  it('are the only ones evaluated: a define nothing reads cannot fail the rule (the reference path still runs it)', async () => {
    const fast = engine({ threads: 0 });
    const reference = engine({ evaluation: 'reference' });
    await fast.add({
      cql: `library UnreadDefine version '1.0.0'
using FHIR version '4.0.1'
include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common
parameter "Order" FHIR.Resource
context Patient
define "Never Read": singleton from { 1, 2 }
define "Decision": Common."Decision"('covered', 'no-auth', null, null, null, 'UnreadDefine answers', 'UnreadDefine answered')
`,
    });
    await fast.setStatus('UnreadDefine', 'enabled');
    try {
      const input = { hook: 'order-sign' as const, patientBundle: patientWith([]), order: serviceOrder('99999', 'not in the policy table'), coverage: PLANS[0]! };
      const d = await fast.evaluateOrder(input);
      expect(d.rules.map((r) => r.library)).toEqual(['UnreadDefine']);
      expect(d.covered).toBe('covered');
      const r = await reference.evaluateOrder(input);
      expect(r.reasons.map((x) => x.code)).toContain('technical'); // every define runs there, and "Never Read" throws
    } finally {
      await fast.remove('UnreadDefine');
    }
  }, 120_000);
});

describe('the data handed to the rules', () => {
  const catalog = () => Object.fromEntries(['AmoxicillinPriorAuth', 'TablePolicy', 'Sinusitis', 'CoverageCommon', 'FHIRHelpers'].map((n) => [n, elm(n)]));
  /** The retrieved types of a plan (no value sets known here, so no code cut). */
  const typesOf = (plan: RetrievalPlan | null) => (plan ? [...plan.types.keys()].sort() : null);
  const noValueSets = () => null;

  it('is the Patient and the types the libraries (and their includes) retrieve', () => {
    expect(typesOf(retrievalPlan(['TablePolicy'], catalog(), noValueSets))).toEqual(['Patient']);
    expect(typesOf(retrievalPlan(['AmoxicillinPriorAuth', 'TablePolicy'], catalog(), noValueSets))).toEqual(['Condition', 'Patient']); // via Sinusitis
    const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }, { resource: { resourceType: 'Observation', id: 'o', status: 'final', code: {} } }, { resource: { resourceType: 'Condition', id: 'c', subject: {} } }] };
    const plan = retrievalPlan(['AmoxicillinPriorAuth'], catalog(), noValueSets)!;
    const slim = retrievable(bundle, plan);
    expect(slim.entry!.map((e) => e.resource!.resourceType)).toEqual(['Patient', 'Condition']);
    expect(retrievable(bundle, plan)).toBe(slim); // the same object per Bundle: wrapped once per call
  });

  it('is the whole Bundle when a Retrieve is not a base FHIR type or an include is unknown', () => {
    const withProfile = { library: { statements: { def: [{ expression: { type: 'Retrieve', dataType: '{http://hl7.org/fhir}Condition', templateId: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition' } }] } } };
    const abstract = { library: { statements: { def: [{ expression: { type: 'Retrieve', dataType: '{http://hl7.org/fhir}Resource' } }] } } };
    const unknownInclude = { library: { includes: { def: [{ path: 'Missing' }] } } };
    expect(retrievalPlan(['X'], { X: withProfile }, noValueSets)).toBeNull();
    expect(retrievalPlan(['X'], { X: abstract }, noValueSets)).toBeNull();
    expect(retrievalPlan(['X'], { X: unknownInclude }, noValueSets)).toBeNull();
    const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] };
    expect(retrievable(bundle, null)).toBe(bundle);
  });
});

describe('the code cut: Conditions no value-set Retrieve can return are left out', () => {
  const catalog = () => Object.fromEntries(['AmoxicillinPriorAuth', 'TablePolicy', 'Sinusitis', 'CoverageCommon', 'FHIRHelpers'].map((n) => [n, elm(n)]));
  const SNOMED = 'http://snomed.info/sct';
  const condition = (id: string, code: unknown): Resource => ({ resourceType: 'Condition', id, subject: { reference: 'Patient/p1' }, ...(code === undefined ? {} : { code }) }) as Resource;

  it('keeps a Condition whose coding (system and code) is in a retrieved value set, and any it cannot judge', () => {
    const plan = retrievalPlan(['AmoxicillinPriorAuth'], catalog(), valueSetCodings)!;
    const f = plan.types.get('Condition')!;
    expect(f.all).toBe(false);
    // the union of Sinusitis's two value sets (valuesets.json: acute 5 SNOMED + J01.x, chronic 2 SNOMED + J32.x)
    expect(!f.all && [...f.codes].filter((k) => k.startsWith(SNOMED)).length).toBe(7);
    const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [
      { resource: { resourceType: 'Patient', id: 'p1' } },
      { resource: condition('viral-sinusitis', { coding: [{ system: 'http://loinc.org', code: 'x' }, { system: SNOMED, code: '444814009' }] }) },
      { resource: condition('hypertension', { coding: [{ system: SNOMED, code: '59621000' }] }) },
      { resource: condition('right-code-other-system', { coding: [{ system: 'http://example.org', code: '444814009' }] }) },
      { resource: condition('code-without-system', { coding: [{ code: '444814009' }] }) },
      { resource: condition('text-only', { text: 'sinusitis' }) },
      { resource: condition('no-code', undefined) },
      { resource: { resourceType: 'Observation', id: 'o', status: 'final', code: {} } },
    ] };
    const slim = retrievable(bundle, plan);
    // cql-execution matches code and system with ===, so neither wrong-system nor system-less codings can match;
    // a CodeableConcept without codings, or no code at all, is kept (left to the engine)
    expect(slim.entry!.map((e) => e.resource!.id)).toEqual(['p1', 'viral-sinusitis', 'text-only', 'no-code']);
    expect(retrievable(bundle, plan)).toBe(slim);
  });

  it('keeps every resource of a type when a Retrieve has no codes, codes other than a value set, or an unknown value set', () => {
    const lib = (codes: unknown) => ({ library: { valueSets: { def: [{ name: 'Known', id: 'http://sagebrush.local/fhir/ValueSet/acute-sinusitis' }, { name: 'Unknown', id: 'http://example.org/none' }] }, statements: { def: [{ expression: { type: 'Retrieve', dataType: '{http://hl7.org/fhir}Condition', codeProperty: 'code', ...(codes ? { codes } : {}) } }] } } });
    expect(retrievalPlan(['X'], { X: lib({ type: 'ValueSetRef', name: 'Known' }) }, valueSetCodings)!.types.get('Condition')!.all).toBe(false);
    expect(retrievalPlan(['X'], { X: lib(undefined) }, valueSetCodings)!.types.get('Condition')!.all).toBe(true);
    expect(retrievalPlan(['X'], { X: lib({ type: 'ValueSetRef', name: 'Unknown' }) }, valueSetCodings)!.types.get('Condition')!.all).toBe(true);
    expect(retrievalPlan(['X'], { X: lib({ type: 'ToList', operand: { type: 'CodeRef', name: 'c' } }) }, valueSetCodings)!.types.get('Condition')!.all).toBe(true);
    // two Retrieves of one type: one without codes keeps them all
    const both = lib({ type: 'ValueSetRef', name: 'Known' });
    (both.library.statements.def as unknown[]).push({ expression: { type: 'Retrieve', dataType: '{http://hl7.org/fhir}Condition' } });
    expect(retrievalPlan(['X'], { X: both }, valueSetCodings)!.types.get('Condition')!.all).toBe(true);
  });

  it('decides as the reference path does over a patient with many unrelated Conditions', async () => {
    const fast = engine({ threads: 0 });
    const reference = engine({ evaluation: 'reference' });
    const others = Array.from({ length: 30 }, (_, i) => ({ system: SNOMED, code: String(100000 + i) }));
    for (const sinus of [[], [{ system: SNOMED, code: '444814009' }], [{ system: SNOMED, code: '40055000', status: 'resolved' }]]) {
      for (const plan of PLANS) {
        const input = { hook: 'order-sign' as const, patientBundle: patientWith([...others, ...sinus]), order: medicationOrder(), coverage: plan };
        expect(await fast.evaluateOrder(structuredClone(input))).toEqual(await reference.evaluateOrder(input));
      }
    }
  }, 120_000);
});

describe('fast path = reference path on the Synthea patients', () => {
  it.skipIf(!HAS_SYNTHEA)('gives the same decisions and findings for every patient, plan and sample order', async () => {
    const fast = engine({ threads: 1 });
    const reference = engine({ evaluation: 'reference' });
    const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort();
    const outcomes = new Set<string>();
    let compared = 0;
    for (const [i, file] of files.entries()) {
      const record = JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, file))).toString('utf8')) as Bundle;
      const plan = PLANS[i % 2]!;
      const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [...(record.entry ?? []).map((e) => ({ resource: e.resource! })), { resource: plan }] };
      for (const order of ORDERS) {
        const input = { hook: 'order-sign' as const, patientBundle: bundle, order, coverage: plan };
        const [a, b] = await Promise.all([reference.evaluateOrder(input), fast.evaluateOrder(structuredClone(input))]);
        expect(b, `${file} ${order.resourceType}`).toEqual(a);
        expect(a.reasons.map((r) => r.code)).not.toContain('technical');
        outcomes.add(`${a.covered}/${a.paNeeded ?? ''}/${(a.docNeeded ?? []).join(',')}`);
        compared += 1;
      }
      expect(await fast.patientView({ patientBundle: bundle }), file).toEqual(await reference.patientView({ patientBundle: bundle }));
    }
    expect(compared).toBe(files.length * ORDERS.length);
    expect(fast.threadTasks()).toBeGreaterThanOrEqual(compared); // the fast decisions came from the rule thread
    expect(reference.threads).toBe(0);
    expect(outcomes.size).toBeGreaterThan(2); // the patients exercise several outcomes
  }, 600_000);
});
