import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { coverage, HAS_SYNTHEA, medicationOrder, patientWith, serviceOrder, syntheaBundle, WITH_SINUSITIS, WITHOUT_SINUSITIS } from './testing.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { worker: false });
}, 120_000);
afterAll(async () => t.close());

const MY_RULE = `library MyCpapRule version '1.0.0'
using FHIR version '4.0.1'
include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common
parameter "Order" FHIR.Resource
parameter "Coverage" FHIR.Coverage
context Patient
define "Is CPAP": exists ((Common."Order Codes"("Order")) C where C.code = 'E0601')
define "Decision":
  if "Is CPAP" then Common."Decision"('covered', 'auth-needed', 'clinical', 'withpa', null, 'CPAP needs a sleep study', 'Prior authorization required for CPAP')
  else null
`;

describe('/api/v1/rules', () => {
  it('lists the built-in libraries with kinds and status', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/rules' });
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: { name: string; kind: string; status: string; builtin: boolean }[] }>().items;
    expect(items.map((i) => [i.name, i.kind, i.status])).toEqual([
      ['AmoxicillinPriorAuth', 'order', 'enabled'],
      ['CoverageCommon', 'helper', 'enabled'],
      ['FHIRHelpers', 'helper', 'enabled'],
      ['Sinusitis', 'patient', 'enabled'],
      ['TablePolicy', 'order', 'enabled'],
    ]);
  });

  it('shows a library with its source and typed expressions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/rules/AmoxicillinPriorAuth' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ cql: string; expressions: { name: string; type: string }[]; includes: { name: string }[] }>();
    expect(body.cql).toContain('library AmoxicillinPriorAuth');
    expect(body.expressions.find((e) => e.name === 'Is Amoxicillin')?.type).toBe('System.Boolean');
    expect(body.includes.map((i) => i.name)).toEqual(['FHIRHelpers', 'CoverageCommon', 'Sinusitis']);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/rules/Nope' })).json()).toMatchObject({ code: 'RULE_NOT_FOUND' });
  });

  it('rejects CQL with translator errors: 400 naming line and column', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/rules', payload: { cql: MY_RULE.replace("C.code = 'E0601'", "C.code = NoSuchCode") } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; problems: { row: number; field: string; problem: string }[]; cqlProblems: { line: number; column: number }[] }>();
    expect(body.code).toBe('CQL_TRANSLATION_FAILED');
    expect(body.problems[0]).toMatchObject({ row: 8, problem: expect.stringContaining('NoSuchCode') });
    expect(body.cqlProblems[0]?.line).toBe(8);
    const compile = await t.app.inject({ method: 'POST', url: '/api/v1/rules/compile', payload: { cql: 'library X version \'1\'\ndefine A: 1 +' } });
    expect(compile.json()).toMatchObject({ ok: false, problems: [expect.objectContaining({ severity: 'error', line: 2, message: 'Syntax error at <EOF>' })] });
  }, 60_000);

  it('uploads a rule disabled, tests it, enables it, and the engine then uses it', async () => {
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/rules', payload: { cql: MY_RULE, description: 'CPAP' } });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ name: 'MyCpapRule', kind: 'order', status: 'disabled', builtin: false });

    const cpap = serviceOrder('E0601', 'CPAP device');
    (cpap.code?.coding ?? [])[0]!.system = 'https://bluebutton.cms.gov/resources/codesystem/hcpcs';
    const bundle = patientWith([]);
    const tested = await t.app.inject({ method: 'POST', url: '/api/v1/rules/MyCpapRule/test', payload: { patientBundle: bundle, order: cpap, coverage: coverage('acme-gold', 'Acme Gold') } });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({ library: 'MyCpapRule', results: { 'Is CPAP': true }, decision: { paNeeded: 'auth-needed', summary: 'Prior authorization required for CPAP' } });

    // disabled: evaluateOrder ignores it (gold + CPAP per the policy table = documentation only)
    const before = await t.ctx.services.rules.evaluateOrder({ hook: 'order-sign', patientBundle: bundle, order: cpap, coverage: coverage('acme-gold', 'Acme Gold') });
    expect(before.paNeeded).toBe('no-auth');
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/rules/MyCpapRule', payload: { status: 'enabled' } })).json()).toMatchObject({ status: 'enabled' });
    const after = await t.ctx.services.rules.evaluateOrder({ hook: 'order-sign', patientBundle: bundle, order: cpap, coverage: coverage('acme-gold', 'Acme Gold') });
    expect(after.paNeeded).toBe('auth-needed');
    expect(after.rules.map((r) => r.library).sort()).toEqual(['MyCpapRule', 'TablePolicy']);

    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/rules/MyCpapRule' })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/rules/Sinusitis' })).json()).toMatchObject({ code: 'RULE_BUILTIN' });
  }, 60_000);

  it('uploads ELM, and refuses ELM whose includes are missing', async () => {
    const elm = (await t.ctx.services.rules.compile(MY_RULE.replace('MyCpapRule', 'ElmRule'))).elm;
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/rules', payload: { elm } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ name: 'ElmRule', cql: null, kind: 'order' });
    const broken = structuredClone(elm) as { library: { identifier: { id: string }; includes: { def: { path: string }[] } } };
    broken.library.identifier.id = 'Broken';
    broken.library.includes.def[1]!.path = 'Missing';
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/rules', payload: { elm: broken } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'CQL_ELM_INVALID' });
  }, 60_000);

  it('table-driven rule follows the policy table edited through the API (JSON and CSV)', async () => {
    const bundle = patientWith([]);
    const mri = serviceOrder('72148');
    const test = async () =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/rules/TablePolicy/test', payload: { patientBundle: bundle, order: mri, coverage: coverage('acme-gold', 'Acme Gold') } })).json<{ decision: { paNeeded: string; covered: string } }>().decision;
    expect(await test()).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' });
    const policy = (await t.app.inject({ method: 'GET', url: '/api/v1/rules/policy' })).json<{ rows: unknown[]; updatedAt: null }>();
    expect(policy.updatedAt).toBeNull();
    expect(policy.rows.length).toBeGreaterThan(5);

    const csv = 'plan,system,code,display,requirement,docNeeded,note\nacme-gold,cpt,72148,MRI lumbar spine,not-covered,,experimental for this plan\n';
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/rules/policy', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ rows: [{ plan: 'acme-gold', system: 'http://www.ama-assn.org/go/cpt', requirement: 'not-covered' }] });
    expect(await test()).toMatchObject({ covered: 'not-covered' });

    const bad = await t.app.inject({ method: 'PUT', url: '/api/v1/rules/policy', payload: [{ plan: 'acme-gold', system: 'cpt', code: '72148', requirement: 'sometimes' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'RULE_POLICY_INVALID', problems: [{ row: 1, field: 'requirement' }] });
    const restored = await t.app.inject({ method: 'PUT', url: '/api/v1/rules/policy', payload: { rows: policy.rows } });
    expect(restored.statusCode).toBe(200);
    expect(await test()).toMatchObject({ paNeeded: 'no-auth' });
  }, 60_000);

  it.skipIf(!HAS_SYNTHEA)('tests a stored patient by id: its own Coverage and conditions decide', async () => {
    const fhir = t.ctx.services.fhir;
    await fhir.importBundle(syntheaBundle(WITH_SINUSITIS), { withCoverage: 'Acme' });
    await fhir.importBundle(syntheaBundle(WITHOUT_SINUSITIS), { withCoverage: 'Acme' });
    const id = async (name: string) => (await fhir.listPatients({ name })).items[0]?.id as string;
    const run = async (patientId: string) =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/rules/AmoxicillinPriorAuth/test', payload: { patientId, order: medicationOrder() } })).json<{ results: Record<string, unknown>; decision: { paNeeded: string } }>();
    const withIt = await run(await id('Annetta'));
    expect(withIt.results).toMatchObject({ 'Has Sinusitis': true, Plan: 'acme-standard' });
    expect(withIt.decision.paNeeded).toBe('no-auth');
    const without = await run(await id('Clemente'));
    expect(without.results['Has Sinusitis']).toBe(false);
    expect(without.decision.paNeeded).toBe('auth-needed');
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/rules/Sinusitis/test', payload: { patientId: 'nope', order: medicationOrder() } });
    expect(unknown.json()).toMatchObject({ code: 'RULE_TEST_INPUT_INVALID' });
  }, 60_000);

  it('test input errors name the fix', async () => {
    const noPatient = await t.app.inject({ method: 'POST', url: '/api/v1/rules/Sinusitis/test', payload: { order: medicationOrder() } });
    expect(noPatient.statusCode).toBe(400);
    expect(noPatient.json()).toMatchObject({ code: 'RULE_TEST_INPUT_INVALID' });
  });
});
