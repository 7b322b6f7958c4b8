/**
 * CDS Hooks through the real app in-process, with the real FHIR store (two Synthea patients imported with an
 * Acme coverage) and the real CQL rules: discovery; order-sign coverage information that differs with the
 * diagnosis; prefetch-only calls; fetching from a fhirServer over HTTP with a bearer token; 412; null prefetch;
 * `{"cards": []}`; feedback; CORS; the audit log. Every response is checked with the spec validator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Bundle, Coverage, Patient, Resource } from '@medplum/fhirtypes';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../../core/config.ts';
import { buildApp } from '../../http/app.ts';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { readCoverageInformation } from './crd.ts';
import { SAMPLE_ORDERS } from './samples.ts';
import { resourcesOf } from './prefetch.ts';
import { discoveryProblems, responseProblems } from './schema.ts';
import { davinciRequest } from './testing/davinci.ts';
import type { HookRequest, HookResponse } from './types.ts';
import { loadSynthea, syntheaMissing, WITH_SINUSITIS, WITHOUT_SINUSITIS } from './testing/synthea.ts';

const missing = syntheaMissing();
const AMOX = SAMPLE_ORDERS.find((s) => s.id === 'amoxicillin')!.resource;
const MRI = SAMPLE_ORDERS.find((s) => s.id === 'mri-lumbar')!.resource;

function valid(res: LightMyRequestResponse): HookResponse {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<HookResponse>();
  expect(responseProblems(body, { crd: true })).toEqual([]);
  return body;
}

function coverageOf(body: HookResponse): Array<Record<string, string[]>> {
  return (body.systemActions ?? []).flatMap((a) => readCoverageInformation(a.resource!));
}

function outcome(res: LightMyRequestResponse): string {
  const oo = res.json<{ resourceType: string; issue: Array<{ diagnostics: string; details?: { coding?: Array<{ code: string }> } }> }>();
  expect(oo.resourceType).toBe('OperationOutcome');
  return `${oo.issue[0]!.details?.coding?.[0]?.code}: ${oo.issue.map((i) => i.diagnostics).join(' | ')}`;
}

describe.skipIf(missing !== null)('CDS Hooks service', () => {
  let t: TestApp;
  let withSinusitis: string;
  let without: string;
  const post = (app: FastifyInstance, id: string, payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: `/cds-services/${id}`, payload: payload as object, headers });
  const build = (hook: string, patientId: string, order?: Resource, prefetch = true) => t.ctx.services.cds.buildRequest({ hook, patientId, ...(order ? { order } : {}), prefetch }).then((r) => r.request);

  beforeAll(async () => {
    t = await createTestApp({ cdsCorsOrigins: ['https://ehr.example.org'] }, { worker: false });
    const a = await t.ctx.services.fhir.importBundle(loadSynthea(WITH_SINUSITIS), { withCoverage: 'Acme Health', plans: ['acme-standard'] });
    const b = await t.ctx.services.fhir.importBundle(loadSynthea(WITHOUT_SINUSITIS), { withCoverage: 'Acme Health', plans: ['acme-standard'] });
    withSinusitis = a.patients[0]!;
    without = b.patients[0]!;
  }, 120_000);
  afterAll(async () => t?.close());

  it('serves a valid discovery document with CRD extensions and the coverage prefetch', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/cds-services' });
    expect(res.statusCode).toBe(200);
    const d = res.json<{ services: Array<{ id: string; hook: string; prefetch: Record<string, string>; extension: Record<string, unknown> }> }>();
    expect(discoveryProblems(d)).toEqual([]);
    expect(d.services.map((s) => s.hook)).toEqual(expect.arrayContaining(['order-sign', 'order-select', 'order-dispatch', 'patient-view', 'appointment-book']));
    const sign = d.services.find((s) => s.id === 'order-sign-crd')!;
    expect(sign.prefetch.coverage).toBe('Coverage?patient={{context.patientId}}&status=active');
    expect(sign.extension['davinci-crd.version']).toEqual(['2.0']);
    expect((sign.extension['davinci-crd.configuration-options'] as Array<{ code: string }>).map((o) => o.code)).toEqual(['coverage-info', 'max-cards']);
  });

  it('order-sign: amoxicillin coverage information comes from the CQL rules and differs with the diagnosis', async () => {
    const yes = valid(await post(t.app, 'order-sign-crd', await build('order-sign', withSinusitis, AMOX)));
    const no = valid(await post(t.app, 'order-sign-crd', await build('order-sign', without, AMOX)));
    const [ciYes] = coverageOf(yes);
    const [ciNo] = coverageOf(no);
    expect(ciYes).toMatchObject({ covered: ['covered'], 'pa-needed': ['no-auth'] });
    expect(ciNo).toMatchObject({ covered: ['covered'], 'pa-needed': ['auth-needed'], 'doc-needed': ['clinical'], 'doc-purpose': ['withpa'] });
    for (const ci of [ciYes!, ciNo!]) {
      expect(ci.coverage![0]).toMatch(/^Coverage\/cov-/);
      expect(ci.date![0]).toBe(new Date().toISOString().slice(0, 10));
    }
    expect(ciYes!['coverage-assertion-id']).not.toEqual(ciNo!['coverage-assertion-id']);
    expect(yes.systemActions![0]!.resource).toMatchObject({ resourceType: 'MedicationRequest', id: 'draft-amoxicillin', status: 'draft' });
    // PA needed → one Instructions card from the payer; no PA → no card (coverage info is never a card).
    expect(yes.cards).toEqual([]);
    expect(no.cards).toHaveLength(1);
    expect(no.cards[0]).toMatchObject({ indicator: 'warning', source: { label: 'Acme Health', topic: { code: 'coverage-info' } } });
    expect(no.cards[0]!.summary).toMatch(/Prior authorization required for amoxicillin/);
  });

  it('audits the request as the client sent it: the body\'s own JSON text, read back as the same request', async () => {
    const req = await build('order-sign', without, AMOX);
    const text = JSON.stringify(req, null, 1); // whitespace the server would not write itself
    const res = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', payload: text, headers: { 'content-type': 'application/json' } });
    valid(res);
    const calls = (await t.app.inject({ method: 'GET', url: '/api/v1/cds/calls?limit=1' })).json<{ items: Array<{ id: string; hookInstance: string }> }>();
    expect(calls.items[0]!.hookInstance).toBe(req.hookInstance);
    const row = await t.ctx.db.selectFrom('cds_calls').select('request_json').where('id', '=', calls.items[0]!.id).executeTakeFirstOrThrow();
    expect(row.request_json).toBe(text);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/cds/calls/${calls.items[0]!.id}` });
    expect(detail.json().request).toEqual(req);
  });

  it('order-sign: the table-driven rule answers for a CPT code', async () => {
    const res = valid(await post(t.app, 'order-sign-crd', await build('order-sign', without, MRI)));
    expect(coverageOf(res)[0]).toMatchObject({ covered: ['covered'], 'pa-needed': ['auth-needed'] });
    expect(res.systemActions![0]!.resource!.resourceType).toBe('ServiceRequest');
  });

  it('honours CRD configuration: coverage-info off, max-cards', async () => {
    const req = await build('order-sign', without, AMOX);
    const off = valid(await post(t.app, 'order-sign-crd', { ...req, extension: { 'davinci-crd.configuration': { 'coverage-info': false } } }));
    expect(off).toEqual({ cards: [] });
    const none = valid(await post(t.app, 'order-sign-crd', { ...req, hookInstance: crypto.randomUUID(), extension: { 'davinci-crd.configuration': { 'max-cards': 0 } } }));
    expect(none.cards).toEqual([]);
    expect(none.systemActions).toHaveLength(1);
  });

  it('order-select covers only the selected orders and asks for no documentation (secondary hook)', async () => {
    const req = await build('order-select', without, AMOX);
    const other = { ...MRI, id: 'not-selected' };
    req.context.draftOrders!.entry!.push({ resource: other as Resource });
    const res = valid(await post(t.app, 'order-select-crd', req));
    expect(res.systemActions).toHaveLength(1);
    expect(res.systemActions![0]!.resource!.id).toBe('draft-amoxicillin');
    expect(coverageOf(res)[0]!['doc-needed']).toBeUndefined();
    expect(coverageOf(res)[0]!['pa-needed']).toEqual(['auth-needed']);
  });

  it('appointment-book: coverage information goes on the ServiceRequest the appointment is based on', async () => {
    const req = await build('order-sign', without, MRI);
    const sr = req.context.draftOrders!.entry![0]!.resource!;
    const appointment = { resourceType: 'Appointment', id: 'appt-1', status: 'proposed', basedOn: [{ reference: `ServiceRequest/${sr.id}` }], participant: [{ actor: { reference: `Patient/${without}` }, status: 'needs-action' }] } as Resource;
    const { draftOrders: _d, ...context } = req.context;
    const res = valid(await post(t.app, 'appointment-book-crd', { ...req, hook: 'appointment-book', context: { ...context, appointments: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: appointment }, { resource: sr }] } } }));
    expect(res.systemActions!.map((a) => `${a.resource!.resourceType}/${a.resource!.id}`)).toEqual(['ServiceRequest/draft-mri-lumbar']);
    expect(coverageOf(res)[0]).toMatchObject({ 'pa-needed': ['auth-needed'] });
  });

  it('patient-view: a sinusitis reminder card, and {"cards": []} when nothing applies', async () => {
    const yes = valid(await post(t.app, 'patient-view-crd', await build('patient-view', withSinusitis)));
    expect(yes.cards.length).toBeGreaterThanOrEqual(1);
    expect(yes.cards[0]!.source.topic?.code).toBe('clinical-reminder');
    expect(yes.cards.map((c) => c.summary).join(' ')).toMatch(/sinusitis/i);
    const no = await post(t.app, 'patient-view-crd', await build('patient-view', without));
    expect(valid(no)).toEqual({ cards: [] });
    expect(no.body).toBe('{"cards":[]}');
    const empty = await build('order-sign', without, AMOX);
    empty.context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [] };
    expect(valid(await post(t.app, 'order-sign-crd', empty))).toEqual({ cards: [] });
  });

  it('null prefetch entries: no patient → not-covered / no-member-found; an empty coverage search → coverage-not-found', async () => {
    const req = await build('order-sign', without, AMOX);
    const noPatient = valid(await post(t.app, 'order-sign-crd', { ...req, prefetch: { ...req.prefetch, patient: null } }));
    expect(coverageOf(noPatient)[0]).toMatchObject({ covered: ['not-covered'], reason: [expect.stringMatching(/^no-member-found: /)] });
    expect(coverageOf(noPatient)[0]!['pa-needed']).toBeUndefined();
    const emptySearch: Bundle = { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
    const noCoverage = valid(await post(t.app, 'order-sign-crd', { ...req, hookInstance: crypto.randomUUID(), prefetch: { ...req.prefetch, coverage: emptySearch } }));
    expect(coverageOf(noCoverage)[0]).toMatchObject({ covered: ['not-covered'], coverage: ['No active coverage found'], reason: [expect.stringMatching(/^coverage-not-found: /)] });
    // An unknown patient id fetched from the store is the same fixed outcome.
    const unknown = valid(await post(t.app, 'order-sign-crd', await build('order-sign', 'no-such-patient', AMOX, false)));
    expect(coverageOf(unknown)[0]).toMatchObject({ covered: ['not-covered'], reason: [expect.stringMatching(/^no-member-found/)] });
  });

  describe('prefetch vs fetch vs 412 (a CDS server with an empty store)', () => {
    let cdsOnly: TestApp;
    let fhirCtx: AppContext;
    let fhirApp: FastifyInstance;
    let fhirBase: string;
    const seen: string[] = [];

    beforeAll(async () => {
      // "The EHR's FHIR server": another Sagebrush with the patients, over real HTTP, recording the bearer tokens.
      fhirCtx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: `${t.dir}/ehr`, logLevel: 'silent' } }));
      fhirApp = await buildApp(fhirCtx, { webDist: `${t.dir}/none` });
      fhirApp.addHook('onRequest', async (req) => {
        if (req.url.startsWith('/fhir/R4')) seen.push(req.headers.authorization ?? '(none)');
      });
      await fhirCtx.services.fhir.importBundle(loadSynthea(WITHOUT_SINUSITIS), { withCoverage: 'Acme Health', plans: ['acme-standard'] });
      fhirBase = `${await fhirApp.listen({ port: 0, host: '127.0.0.1' })}/fhir/R4`;
      // A development FHIR server over http on loopback must be allow-listed explicitly (SAGEBRUSH_CDS_FHIR_ALLOW).
      cdsOnly = await createTestApp({ cdsEmbeddedFhir: false, cdsFhirServerAllow: [new URL(fhirBase).origin, 'http://127.0.0.1:9'] }, { worker: false });
    }, 120_000);
    afterAll(async () => {
      await cdsOnly?.close();
      await fhirApp?.close();
      await fhirCtx?.close();
    });

    it('decides from prefetched data alone (no fhirServer)', async () => {
      const req = await build('order-sign', without, AMOX);
      expect(Object.keys(req.prefetch ?? {})).toEqual(expect.arrayContaining(['patient', 'coverage', 'conditions']));
      const res = valid(await post(cdsOnly.app, 'order-sign-crd', req));
      expect(coverageOf(res)[0]).toMatchObject({ covered: ['covered'], 'pa-needed': ['auth-needed'] });
    });

    it('fetches what was not prefetched from fhirServer with the access token, and keeps the token out of the audit', async () => {
      const req: HookRequest = { ...(await build('order-sign', without, AMOX, false)), fhirServer: fhirBase, fhirAuthorization: { access_token: 'ehr-token-123', token_type: 'Bearer', expires_in: 30, scope: 'patient/*.read', subject: 'sagebrush' } };
      seen.length = 0;
      const res = valid(await post(cdsOnly.app, 'order-sign-crd', req));
      expect(coverageOf(res)[0]).toMatchObject({ covered: ['covered'], 'pa-needed': ['auth-needed'] });
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(new Set(seen)).toEqual(new Set(['Bearer ehr-token-123']));
      const calls = (await cdsOnly.app.inject({ method: 'GET', url: '/api/v1/cds/calls?limit=1' })).json<{ items: Array<{ id: string }> }>();
      const detail = await cdsOnly.app.inject({ method: 'GET', url: `/api/v1/cds/calls/${calls.items[0]!.id}` });
      expect(detail.body).not.toContain('ehr-token-123');
      expect(detail.json().request.fhirAuthorization.access_token).toBe('[redacted]');
    });

    it('answers 412 with an OperationOutcome only when needed data (coverage) is neither sent nor fetchable', async () => {
      const req = await build('order-sign', without, AMOX);
      const { coverage: _c, ...partial } = req.prefetch!;
      const noServer = await post(cdsOnly.app, 'order-sign-crd', { ...req, prefetch: partial });
      expect(noServer.statusCode).toBe(412);
      expect(outcome(noServer)).toMatch(/^CDS_PREFETCH_UNAVAILABLE: Needed data is missing: coverage \(Coverage\?patient=\{\{context.patientId\}\}&status=active\) not prefetched, and the request has no fhirServer/);
      const unreachable = await post(cdsOnly.app, 'order-sign-crd', { ...req, hookInstance: crypto.randomUUID(), prefetch: partial, fhirServer: 'http://127.0.0.1:9/fhir/R4' });
      expect(unreachable.statusCode).toBe(412);
      expect(outcome(unreachable)).toMatch(/coverage .*fetching it from fhirServer failed: FHIR server http:\/\/127\.0\.0\.1:9\/fhir\/R4 unreachable: the connection failed/);
      // Conditions are evidence, not a precondition: without them the rules decide (no diagnosis → PA needed).
      const { conditions: _d, ...noConditions } = req.prefetch!;
      const decided = valid(await post(cdsOnly.app, 'order-sign-crd', { ...req, hookInstance: crypto.randomUUID(), prefetch: noConditions }));
      expect(coverageOf(decided)[0]).toMatchObject({ covered: ['covered'], 'pa-needed': ['auth-needed'] });
    });

    it('decides a Da Vinci reference-client request (its own prefetch keys) instead of answering 412', async () => {
      const built = await build('order-sign', withSinusitis, AMOX);
      const patient = resourcesOf(built.prefetch!.patient)[0]! as Patient;
      const coverage = resourcesOf(built.prefetch!.coverage)[0]! as Coverage;
      const ri = davinciRequest({ patient, coverage, order: built.context.draftOrders!.entry![0]!.resource! });
      expect(Object.keys(ri.prefetch!)).toEqual(['medicationRequestBundle', 'practitionerRole']);
      const res = valid(await post(cdsOnly.app, 'order-sign-crd', ri));
      expect(coverageOf(res)[0]).toMatchObject({ covered: ['covered'], coverage: [`Coverage/${coverage.id}`] });
      const calls = (await cdsOnly.app.inject({ method: 'GET', url: '/api/v1/cds/calls?limit=1' })).json<{ items: Array<{ status: number }> }>();
      expect(calls.items[0]!.status).toBe(200);
      // The same request without the Coverage anywhere is truly missing data: 412 naming coverage.
      const noCov = davinciRequest({ patient, coverage: null, order: built.context.draftOrders!.entry![0]!.resource! });
      const missing = await post(cdsOnly.app, 'order-sign-crd', noCov);
      expect(missing.statusCode).toBe(412);
      expect(outcome(missing)).toMatch(/Needed data is missing: coverage /);
    });

    it('order-dispatch: decides for orders named by reference, found under any prefetch key or read from fhirServer', async () => {
      const built = await build('order-sign', without, MRI);
      const patient = resourcesOf(built.prefetch!.patient)[0]! as Patient;
      const coverage = resourcesOf(built.prefetch!.coverage)[0]! as Coverage;
      const sr = { ...built.context.draftOrders!.entry![0]!.resource!, status: 'active' } as Resource;
      const res = valid(await post(cdsOnly.app, 'order-dispatch-crd', davinciRequest({ patient, coverage, order: sr, hook: 'order-dispatch' })));
      expect(res.systemActions!.map((a) => `${a.resource!.resourceType}/${a.resource!.id}`)).toEqual([`ServiceRequest/${sr.id}`]);
      expect(coverageOf(res)[0]).toMatchObject({ 'pa-needed': ['auth-needed'] });
      // An order that is neither sent nor readable: 412 naming context.dispatchedOrders.
      const ghost = { hookInstance: crypto.randomUUID(), hook: 'order-dispatch', context: { patientId: without, dispatchedOrders: ['ServiceRequest/not-sent'], performer: 'Organization/lab-1' }, prefetch: built.prefetch };
      const missing = await post(cdsOnly.app, 'order-dispatch-crd', ghost);
      expect(missing.statusCode).toBe(412);
      expect(outcome(missing)).toMatch(/the dispatched order ServiceRequest\/not-sent was not prefetched \(under any key\)/);
      // The sandbox builds an order-dispatch request too (the order travels in the prefetch).
      const tr = (await t.app.inject({ method: 'POST', url: '/api/v1/cds/try', payload: { hook: 'order-dispatch', patientId: without } })).json<{ status: number; request: HookRequest; coverageInformation: Array<{ resource: string }> }>();
      expect(tr.status).toBe(200);
      expect(tr.request.context.dispatchedOrders).toEqual(['MedicationRequest/draft-amoxicillin']);
      expect(tr.coverageInformation[0]!.resource).toBe('MedicationRequest/draft-amoxicillin');
    });
  });

  it('rejects bad requests with 400/404 OperationOutcomes', async () => {
    const req = await build('order-sign', without, AMOX);
    const mismatch = await post(t.app, 'order-select-crd', req);
    expect(mismatch.statusCode).toBe(400);
    expect(outcome(mismatch)).toMatch(/^CDS_HOOK_MISMATCH: Service order-select-crd handles order-select, but the request is for order-sign/);
    const noCtx = await post(t.app, 'order-sign-crd', { ...req, context: { patientId: 'x' } });
    expect(outcome(noCtx)).toMatch(/^CDS_REQUEST_INVALID: The order-sign context is invalid: context.userId: required.*context.draftOrders: required/);
    const authNoServer = await post(t.app, 'order-sign-crd', { ...req, fhirAuthorization: { access_token: 'x', token_type: 'Bearer' } });
    expect(outcome(authNoServer)).toMatch(/fhirAuthorization needs fhirServer \(cds-r-1\)/);
    const unknown = await post(t.app, 'nope', req);
    expect(unknown.statusCode).toBe(404);
    expect(outcome(unknown)).toMatch(/^CDS_SERVICE_NOT_FOUND/);
  });

  it('stores feedback (once per identical item) and validates it', async () => {
    const res = valid(await post(t.app, 'order-sign-crd', await build('order-sign', without, AMOX)));
    const card = res.cards[0]!;
    const item = { card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: card.suggestions![0]!.uuid }], outcomeTimestamp: '2026-11-28T10:00:00Z' };
    const fb = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd/feedback', payload: { feedback: [item, { card: card.uuid, outcome: 'overridden', overrideReason: { reason: card.overrideReasons![0], userComment: 'PA on file' }, outcomeTimestamp: '2026-11-28T10:01:00Z' }] } });
    expect(fb.statusCode, fb.body).toBe(200);
    expect(fb.json()).toEqual({ stored: 2, duplicates: 0 });
    const again = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd/feedback', payload: { feedback: [item] } });
    expect(again.json()).toEqual({ stored: 0, duplicates: 1 });
    const list = (await t.app.inject({ method: 'GET', url: `/api/v1/cds/feedback?card=${card.uuid}` })).json<{ items: Array<{ outcome: string; overrideReason?: { reason?: { code: string } } }> }>();
    expect(list.items.map((f) => f.outcome).sort()).toEqual(['accepted', 'overridden']);
    expect(list.items.find((f) => f.outcome === 'overridden')!.overrideReason!.reason!.code).toBe('pa-on-file');
    const bad = await t.app.inject({ method: 'POST', url: '/cds-services/order-sign-crd/feedback', payload: { feedback: [{ card: 'x', outcome: 'accepted', outcomeTimestamp: 'yesterday' }] } });
    expect(bad.statusCode).toBe(400);
    expect(outcome(bad)).toMatch(/cds-fb-2|outcomeTimestamp/);
  });

  it('allows CORS only from configured origins, and only on /cds-services', async () => {
    const ok = await t.app.inject({ method: 'OPTIONS', url: '/cds-services/order-sign-crd', headers: { origin: 'https://ehr.example.org', 'access-control-request-method': 'POST' } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    expect(ok.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const denied = await t.app.inject({ method: 'OPTIONS', url: '/cds-services/order-sign-crd', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(denied.statusCode).toBe(403);
    expect(outcome(denied)).toMatch(/^CDS_CORS_ORIGIN_DENIED: Origin https:\/\/evil\.example\.com may not call the CDS services/);
    const get = await t.app.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://ehr.example.org' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    const getDenied = await t.app.inject({ method: 'GET', url: '/cds-services', headers: { origin: 'https://evil.example.com' } });
    expect(getDenied.headers['access-control-allow-origin']).toBeUndefined();
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/cds/services', headers: { origin: 'https://ehr.example.org' } });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps every call in the audit log; the sandbox helper returns request, response and coverage information', async () => {
    const tr = await t.app.inject({ method: 'POST', url: '/api/v1/cds/try', payload: { hook: 'order-sign', patientId: without } });
    expect(tr.statusCode, tr.body).toBe(200);
    const r = tr.json<{ status: number; request: HookRequest; response: HookResponse; callId: string; prefetch: Record<string, string>; coverageInformation: Array<{ resource: string; items: Array<Record<string, string[]>> }> }>();
    expect(r.status).toBe(200);
    expect(responseProblems(r.response, { crd: true })).toEqual([]);
    expect(r.request.context.draftOrders!.entry![0]!.resource).toMatchObject({ resourceType: 'MedicationRequest', subject: { reference: `Patient/${without}` } });
    expect(r.prefetch).toMatchObject({ patient: 'prefetch', coverage: 'prefetch', conditions: 'prefetch' });
    expect(r.coverageInformation[0]).toMatchObject({ resource: 'MedicationRequest/draft-amoxicillin', items: [{ 'pa-needed': ['auth-needed'] }] });
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/cds/calls?limit=500' })).json<{ items: Array<{ id: string; status: number; serviceId: string }> }>();
    expect(list.items[0]!.id).toBe(r.callId);
    expect(list.items.some((c) => c.status === 400)).toBe(true); // failed calls are audited too
    const one = (await t.app.inject({ method: 'GET', url: `/api/v1/cds/calls/${r.callId}` })).json<{ request: HookRequest; response: HookResponse; cards: number; systemActions: number }>();
    expect(one).toMatchObject({ cards: 1, systemActions: 1 });
    expect(one.response).toEqual(r.response);
    const failed = (await t.app.inject({ method: 'POST', url: '/api/v1/cds/try', payload: { hook: 'order-sign', patientId: without, prefetch: false, order: { resourceType: 'Patient' } } }));
    expect(failed.statusCode).toBe(400);
  });
});
