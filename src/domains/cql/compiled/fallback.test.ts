/**
 * Uploaded libraries and the compiled evaluator: a library using a node outside the compiled set runs on
 * cql-execution (the reason is recorded and `rules test` shows it); one that throws, or whose parameters
 * cql-execution would refuse, bails to cql-execution and reports the same error; a library that exercises the
 * compiled operators (three-valued logic, Equal vs Equivalent on codes, concepts, tuples and lists with nulls,
 * Union and query distinct, Case, Coalesce, Combine, let, multi-source queries) gives the
 * reference's results on Synthea patients and on edge data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiledServices } from '../execute.ts';
import { ORDER_EXPRESSIONS } from '../run.ts';
import { coverage, HAS_SYNTHEA, medicationOrder, patientWith, serviceOrder, SYNTHEA_DIR } from '../testing.ts';
import { translateCql } from '../translate.ts';
import { compiledStatus } from './index.ts';
import { builtinElm, compareOrder, runnablesOver, type Elm } from './testing.ts';

const HEADER = (name: string) => `library ${name} version '1.0.0'
using FHIR version '4.0.1'
include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common
codesystem "SNOMED": 'http://snomed.info/sct'
code "chronic": '40055000' from "SNOMED" display 'Chronic sinusitis'
valueset "Acute": 'http://sagebrush.local/fhir/ValueSet/acute-sinusitis'
valueset "Chronic": 'http://sagebrush.local/fhir/ValueSet/chronic-sinusitis'
parameter "Order" FHIR.Resource
parameter "Coverage" FHIR.Coverage
context Patient
define function "B"(b Boolean): if b then 'T' else if b is null then 'N' else 'F'
`;
const decision = (summary: string) => `define "Decision": Common."Decision"('covered', 'no-auth', null, null, null, 'checked', ${summary})\n`;

const LIBRARIES: Record<string, string> = {
  Unsupported: `${HEADER('Unsupported')}${decision(`'conditions: ' + "B"(Count([Condition]) > 0)`)}`,
  Throws: `${HEADER('Throws')}${decision(`'one: ' + "B"(singleton from { true, false })`)}`,
  MedicationOnly: `${HEADER('MedicationOnly').replace('parameter "Order" FHIR.Resource', 'parameter "Order" FHIR.MedicationRequest')}${decision(`'ordered'`)}`,
  Operators: `${HEADER('Operators')}
define "Conditions": [Condition: "Chronic"] union [Condition: "Acute"]
define "Codes": "Conditions" C return FHIRHelpers.ToCode(First(C.code.coding))
define "Statuses": "Conditions" C let s: C.clinicalStatus return s ~ "chronic"
define "Pairs": from ({1, 2, 2}) A, ({'a', null}) B return Tuple { a: A, b: B }
define "Lists": Tuple {
  eqNull: "B"({1, null} = {1, null}), eqTuple: "B"(Tuple { x: 1, y: null } = Tuple { x: 1, y: null }),
  eqvTuple: "B"(Tuple { x: 'A b', y: null } ~ Tuple { x: 'a  B', y: null }), eqvStr: "B"('Hello' ~ 'hello'),
  eqCode: "B"(Code { code: '1', system: 's' } = Code { code: '1', system: 's', display: 'd' }),
  eqvCode: "B"(Code { code: '1', system: 's' } ~ Code { code: '1', system: 's', display: 'd' }),
  inList: "B"(null in {1, null}), and3: "B"(null and true), or3: "B"(null or false), not3: "B"(not (null as Boolean))
}
define "Plan Case": case Lower(Common."Plan Id"("Coverage")) when 'acme-gold' then 'gold' when 'acme-standard' then 'std' else 'other' end
define "Decision": Common."Decision"('covered', 'no-auth', null, null, null,
  Combine("Codes" X return X.code, ','),
  "Plan Case" + ' ' + Combine("Statuses" S return "B"(S), '') + ' ' + Coalesce({ null, 'first' }) + ' ' + Combine("Pairs" P return "B"(P.a = 1) + Coalesce(P.b, 'n'), '|')
    + "Lists".eqNull + "Lists".eqTuple + "Lists".eqvTuple + "Lists".eqvStr + "Lists".eqCode + "Lists".eqvCode + "Lists".inList + "Lists".and3 + "Lists".or3 + "Lists".not3)
define "Billing Codes": "Codes"
`,
};

let runnables: ReturnType<typeof runnablesOver>;
beforeAll(async () => {
  const elm: Record<string, Elm> = builtinElm();
  for (const [name, cql] of Object.entries(LIBRARIES)) {
    const r = await translateCql(cql);
    expect(r.problems.filter((p) => p.severity === 'error'), name).toEqual([]);
    elm[name] = r.elm as Elm;
  }
  runnables = runnablesOver(elm);
}, 180_000);

const lib = (name: string) => [{ name, version: '1.0.0' }];
const gold = coverage('acme-gold', 'Acme Gold');

describe('libraries the compiled evaluator does not cover', () => {
  it('run on cql-execution, with the reason recorded (a node outside the compiled set)', async () => {
    const status = compiledStatus(runnables('Unsupported'), ORDER_EXPRESSIONS, compiledServices);
    expect(status).toEqual({ compiled: false, reason: expect.stringMatching(/Greater|Count/) });
    const r = await compareOrder(runnables, { bundle: patientWith([{ system: 'http://snomed.info/sct', code: '40055000' }]), order: serviceOrder(), coverage: gold, libraries: lib('Unsupported') });
    expect(r).toMatchObject({ compiled: 0, fallback: 1 });
    expect(r.fast).toBe(r.reference);
    expect(r.fast).toContain('conditions: T');
  });

  it('bail on a run-time error and report cql-execution\'s own message', async () => {
    expect(compiledStatus(runnables('Throws'), ORDER_EXPRESSIONS, compiledServices)).toEqual({ compiled: true });
    const r = await compareOrder(runnables, { bundle: patientWith([]), order: serviceOrder(), coverage: gold, libraries: lib('Throws') });
    expect(r).toMatchObject({ compiled: 0, bailed: 1 });
    expect(r.fast).toBe(r.reference);
    expect(r.fast).toContain('SingletonFrom');
  });

  it('bail when cql-execution would refuse a parameter of the wrong type', async () => {
    const wrong = await compareOrder(runnables, { bundle: patientWith([]), order: serviceOrder(), coverage: gold, libraries: lib('MedicationOnly') });
    expect(wrong).toMatchObject({ compiled: 0, bailed: 1 });
    expect(wrong.fast).toBe(wrong.reference);
    expect(wrong.fast).toContain('wrong type');
    const right = await compareOrder(runnables, { bundle: patientWith([]), order: medicationOrder(), coverage: gold, libraries: lib('MedicationOnly') });
    expect(right).toMatchObject({ compiled: 1, bailed: 0 });
    expect(right.fast).toBe(right.reference);
  });
});

describe('a hostile library', () => {
  it('nested deeper than the stack allows is refused by the compiler, not thrown at the caller', () => {
    let expression: Elm = { type: 'Literal', valueType: '{urn:hl7-org:elm-types:r1}Boolean', value: 'true' };
    for (let i = 0; i < 200_000; i++) expression = { type: 'Not', operand: expression };
    const source = { library: { identifier: { id: 'Deep' }, statements: { def: [{ name: 'Decision', context: 'Patient', expression }] } } };
    expect(compiledStatus({ source, includes: {} }, ORDER_EXPRESSIONS, compiledServices)).toEqual({ compiled: false, reason: expect.stringContaining('the compiler failed') });
  });

  it('that refers to itself is refused (no recursion in compiled code)', () => {
    const ref = (name: string) => ({ type: 'ExpressionRef', name });
    const source = { library: { identifier: { id: 'Loop' }, statements: { def: [{ name: 'Decision', context: 'Patient', expression: ref('A') }, { name: 'A', context: 'Patient', expression: { type: 'Not', operand: ref('Decision') } }] } } };
    expect(compiledStatus({ source, includes: {} }, ORDER_EXPRESSIONS, compiledServices)).toEqual({ compiled: false, reason: expect.stringContaining('refers to itself') });
  });
});

describe('a library exercising the compiled operators', () => {
  it('is compiled and equals the reference on edge data', async () => {
    expect(compiledStatus(runnables('Operators'), ORDER_EXPRESSIONS, compiledServices)).toEqual({ compiled: true });
    const SNOMED = 'http://snomed.info/sct';
    const bundles = [
      patientWith([]),
      patientWith([{ system: SNOMED, code: '40055000' }, { system: SNOMED, code: '444814009', status: 'resolved' }, { system: SNOMED, code: '40055000', status: 'recurrence' }]),
      patientWith([{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J01.90' }, { system: SNOMED, code: '36971009' }]),
    ];
    for (const bundle of bundles) {
      for (const cov of [gold, coverage('acme-standard', 'Acme Standard'), null]) {
        const r = await compareOrder(runnables, { bundle, order: medicationOrder(), coverage: cov, libraries: lib('Operators') });
        expect(r.fast).toBe(r.reference);
        expect(r).toMatchObject({ compiled: 1, bailed: 0, fallback: 0 });
      }
    }
    const withSinusitis = await compareOrder(runnables, { bundle: bundles[1]!, order: medicationOrder(), coverage: gold, libraries: lib('Operators') });
    // the reference's own values: F (no status ~ chronic), the list/tuple/three-valued results in order
    expect(withSinusitis.fast).toContain('gold F first Ta|Tn|Fa|FnNTFTNTTNNN');
  });

  it.skipIf(!HAS_SYNTHEA)('equals the reference on 20 Synthea patients', async () => {
    for (const file of readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort().slice(0, 20)) {
      const bundle = JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, file))).toString('utf8')) as Bundle;
      const r = await compareOrder(runnables, { bundle, order: medicationOrder(), coverage: gold, libraries: lib('Operators') });
      expect(r.fast, file).toBe(r.reference);
      expect(r.compiled + r.bailed, file).toBe(1);
    }
  }, 120_000);
});
