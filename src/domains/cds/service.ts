/**
 * The CDS Hooks service (C7): discovery, hook calls (prefetch → rules → coverage information + cards),
 * feedback, the audit log, and the sandbox helper that builds a hook request from the embedded store.
 * Patient data is read only through FhirDataSource (embedded store or the client's fhirServer); decisions come
 * only from the RuleEngine (CQL). Process logs carry ids, hook, status and timings, never patient data.
 */
import { randomUUID } from 'node:crypto';
import type { Coverage, Patient, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Config } from '../../core/config.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { CoverageDecision, RuleEngine } from '../cql/types.ts';
import type { FhirDataSource } from '../fhir/source.ts';
import { createAuditLog } from './audit.ts';
import { findingCard, instructionsCard, limitCards, needsInstructions, payerName } from './cards.ts';
import { coverageInformationExtension, coverageSystemAction, fixedDecision, normalizeDecision, ORDER_TYPES, type FixedOutcome } from './crd.ts';
import { discovery, findService, REQUIRED_KEYS, serviceForHook } from './discovery.ts';
import { createFeedbackStore } from './feedback.ts';
import { createJwtVerifier, type VerifiedClient } from './jwt.ts';
import { patientBundleFrom, resolvePrefetch, resourcesOf, type KeySource } from './prefetch.ts';
import { asDraft, SAMPLE_ORDERS } from './samples.ts';
import { contextProblems, feedbackSchema, hookRequestSchema } from './schema.ts';
import type { Card, CardAction, CdsServiceDefinition, HookName, HookRequest, HookResponse } from './types.ts';

export interface RemoteSourceOptions {
  baseUrl: string;
  accessToken?: string;
  timeoutMs?: number;
}

export interface CdsDeps {
  db: Kysely<Database>;
  logger: Logger;
  config: Config;
  /** The embedded FHIR store; a getter so the service can be created before or after it. */
  fhir: () => FhirDataSource | undefined;
  /** The CQL rule engine (H6). */
  rules: () => RuleEngine | undefined;
  /** An external FHIR server as a data source (createRemoteFhirSource). */
  remoteSource?: (options: RemoteSourceOptions) => FhirDataSource;
  now?: () => Date;
}

export interface CallMeta {
  /** The verified client, or null when JWTs are off / the sandbox calls in-process. */
  client: VerifiedClient | null;
  /** Public base URL of this server (for recognising our own /fhir/R4). */
  baseUrl: string;
}

export interface HookOutcome {
  status: number;
  body: HookResponse;
  callId: string;
  durationMs: number;
  /** How each prefetch key was filled. */
  prefetch: Record<string, KeySource>;
  /** Coverage decisions per order reference (sandbox/CLI display; not sent to clients). */
  decisions: Record<string, CoverageDecision>;
}

function problemsOf(issues: { path: PropertyKey[]; message: string }[]) {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', problem: i.message, fix: 'Send a CDS Hooks 2.0 request (see docs/api.md, CDS Hooks).' }));
}

/** CRD configuration the client sent (`extension["davinci-crd.configuration"]`), with the advertised defaults. */
export function crdConfiguration(extension: Record<string, unknown> | undefined): { coverageInfo: boolean; clinicalReminder: boolean; maxCards: number } {
  const c = (extension?.['davinci-crd.configuration'] ?? {}) as Record<string, unknown>;
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const max = typeof c['max-cards'] === 'number' && Number.isInteger(c['max-cards']) && c['max-cards'] >= 0 ? c['max-cards'] : 10;
  return { coverageInfo: bool(c['coverage-info'], true), clinicalReminder: bool(c['clinical-reminder'], true), maxCards: max };
}

function refOf(r: Resource): string {
  return `${r.resourceType}/${r.id ?? ''}`;
}

/** The draft orders a hook call is about: all draft orders (order-sign), the selected ones (order-select), the appointments. */
export function ordersInScope(hook: string, context: HookRequest['context']): Resource[] {
  if (hook === 'appointment-book') {
    const entries = (context.appointments?.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
    const byRef = new Map(entries.map((r) => [refOf(r), r]));
    // CRD: when an Appointment is basedOn a ServiceRequest (in the bundle), the ServiceRequest gets the coverage information.
    const out: Resource[] = [];
    for (const r of entries) {
      if (r.resourceType !== 'Appointment') continue;
      const based = (r.basedOn ?? []).map((b) => byRef.get(b.reference ?? '')).find((x) => x?.resourceType === 'ServiceRequest');
      out.push(based ?? r);
    }
    return out;
  }
  const drafts = (context.draftOrders?.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r && ORDER_TYPES.has(r.resourceType));
  if (hook === 'order-select') {
    const selected = new Set(context.selections ?? []);
    return drafts.filter((r) => selected.has(refOf(r)));
  }
  return drafts;
}

/** The patient's primary active coverage, or why there is none (CRD dev-28: exactly one, the primary). */
export function pickCoverage(resources: Resource[]): { coverage: Coverage } | { outcome: FixedOutcome; detail: string } {
  const all = resources.filter((r): r is Coverage => r.resourceType === 'Coverage');
  const active = all.filter((c) => c.status === undefined || c.status === 'active');
  if (active.length === 0) return all.length ? { outcome: 'no-active-coverage', detail: 'Coverage records exist but none is active.' } : { outcome: 'coverage-not-found', detail: 'No Coverage was found for the patient.' };
  if (active.length === 1) return { coverage: active[0]! };
  const order = (c: Coverage) => c.order ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...active].sort((a, b) => order(a) - order(b));
  if (order(sorted[0]!) < order(sorted[1]!)) return { coverage: sorted[0]! };
  return { outcome: 'coverage-not-found', detail: `${active.length} active coverages and none is marked primary (Coverage.order).` };
}

export function createCdsService(deps: CdsDeps) {
  const now = deps.now ?? (() => new Date());
  const audit = createAuditLog(deps.db);
  const feedback = createFeedbackStore(deps.db);
  const jwt = createJwtVerifier({ clients: deps.config.cdsClients, required: deps.config.cdsRequireJwt ?? deps.config.cdsClients.length > 0, db: deps.db, now });

  /** Where missing data is fetched from: the client's fhirServer, or our embedded store (no fhirServer in local development, or our own /fhir/R4). */
  function dataSource(req: HookRequest, baseUrl: string): { source: FhirDataSource | null; why?: string } {
    const embedded = deps.fhir() ?? null;
    if (!req.fhirServer) {
      return deps.config.cdsEmbeddedFhir && embedded ? { source: embedded } : { source: null, why: 'the request has no fhirServer to fetch it from' };
    }
    const server = req.fhirServer.replace(/\/+$/, '');
    const own = [deps.config.cdsPublicUrl, baseUrl].filter((b): b is string => !!b).map((b) => `${b.replace(/\/+$/, '')}/fhir/R4`);
    if (own.includes(server) && embedded) return { source: embedded };
    if (!deps.remoteSource) return { source: null, why: 'this server cannot read external FHIR servers' };
    return { source: deps.remoteSource({ baseUrl: server, accessToken: req.fhirAuthorization?.access_token, timeoutMs: 5000 }) };
  }

  function parseRequest(service: CdsServiceDefinition, body: unknown): HookRequest {
    const r = hookRequestSchema.safeParse(body);
    if (!r.success) {
      const problems = problemsOf(r.error.issues);
      throw new AppError('CDS_REQUEST_INVALID', `The hook request is invalid: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
    }
    const req = r.data as unknown as HookRequest;
    if (req.hook !== service.hook) throw new AppError('CDS_HOOK_MISMATCH', `Service ${service.id} handles ${service.hook}, but the request is for ${req.hook}.`, { problems: [{ field: 'hook', problem: `expected ${service.hook}`, fix: `Call the service for ${req.hook} listed by GET /cds-services.` }] });
    // CDS Hooks: production FHIR servers must use https; plain http only on loopback or with client JWTs off (local development).
    if (req.fhirServer && jwt.required) {
      const u = new URL(req.fhirServer);
      if (u.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
        throw new AppError('CDS_REQUEST_INVALID', `fhirServer ${u.origin} must use https.`, { problems: [{ field: 'fhirServer', problem: 'not https', fix: 'Send the https base URL of the FHIR server.' }] });
      }
    }
    const ctx = contextProblems(req.hook, req.context);
    if (ctx.length) throw new AppError('CDS_REQUEST_INVALID', `The ${req.hook} context is invalid: ${ctx.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems: ctx.map((p) => ({ ...p, fix: `See the ${req.hook} hook definition (CDS Hooks library).` })) });
    return req;
  }

  async function evaluate(service: CdsServiceDefinition, req: HookRequest, meta: CallMeta): Promise<Omit<HookOutcome, 'callId' | 'durationMs' | 'status'>> {
    const hook = service.hook as HookName;
    const cfg = crdConfiguration(req.extension);
    const src = dataSource(req, meta.baseUrl);
    const pf = await resolvePrefetch({ templates: service.prefetch ?? {}, required: REQUIRED_KEYS[hook], context: req.context, prefetch: req.prefetch, source: src.source, ...(src.why ? { noSourceReason: src.why } : {}), logger: deps.logger, now: now() });
    if (pf.missing.length) {
      throw new AppError('CDS_PREFETCH_UNAVAILABLE', `Needed data is missing: ${pf.missing.map((m) => `${m.key} (${m.template}) ${m.reason}`).join('; ')}.`, {
        problems: pf.missing.map((m) => ({ field: `prefetch.${m.key}`, problem: m.reason, fix: `Prefetch "${m.key}" (${m.template}), or send a reachable fhirServer with fhirAuthorization.` })),
      });
    }
    const patient = resourcesOf(pf.values.patient).find((r): r is Patient => r.resourceType === 'Patient') ?? null;
    const coverageResources = resourcesOf(pf.values.coverage);
    const picked = pickCoverage(coverageResources);
    const coverage = 'coverage' in picked ? picked.coverage : null;
    const payer = payerName(coverage, deps.config.cdsPayerName);
    const patientBundle = patientBundleFrom(pf.values);
    const rules = deps.rules();
    const cards: Card[] = [];
    const systemActions: CardAction[] = [];
    const decisions: Record<string, CoverageDecision> = {};

    if (hook === 'patient-view') {
      if (patient && rules && cfg.clinicalReminder) {
        try {
          for (const f of await rules.patientView({ patientBundle })) cards.push(findingCard(f, payer));
        } catch (err) {
          deps.logger.warn({ service: service.id, hookInstance: req.hookInstance, error: (err as Error).name }, 'CDS patient-view rules failed');
        }
      }
      return { body: { cards: limitCards(cards, cfg.maxCards) }, prefetch: pf.sources, decisions };
    }

    for (const order of ordersInScope(hook, req.context)) {
      let decision: CoverageDecision;
      if (!patient) decision = fixedDecision('no-member-found');
      else if (!coverage) decision = fixedDecision((picked as { outcome: FixedOutcome }).outcome, (picked as { detail: string }).detail);
      else if (!rules) decision = fixedDecision('technical', 'No rule engine is configured.');
      else {
        try {
          decision = await rules.evaluateOrder({ hook, patientBundle, order, coverage });
        } catch (err) {
          deps.logger.warn({ service: service.id, hookInstance: req.hookInstance, error: (err as Error).name }, 'CDS rule evaluation failed');
          decision = fixedDecision('technical');
        }
      }
      decision = normalizeDecision(decision, hook);
      decisions[refOf(order)] = decision;
      if (!cfg.coverageInfo) continue;
      const satisfiedPaId = (decision as CoverageDecision & { satisfiedPaId?: string }).satisfiedPaId;
      const ext = coverageInformationExtension(decision, { coverage, date: now(), assertionId: randomUUID(), ...(satisfiedPaId ? { satisfiedPaId } : {}) });
      systemActions.push(coverageSystemAction(order, ext));
      if (needsInstructions(decision)) cards.push(instructionsCard(decision, order, payer, req.context.patientId ?? ''));
    }
    const body: HookResponse = { cards: limitCards(cards, cfg.maxCards) };
    if (systemActions.length) body.systemActions = systemActions;
    return { body, prefetch: pf.sources, decisions };
  }

  /** One hook call: validate, evaluate, audit (always, errors too), log ids and timings only. */
  async function call(serviceId: string, body: unknown, meta: CallMeta): Promise<HookOutcome> {
    const service = findService(serviceId);
    if (!service) throw new AppError('CDS_SERVICE_NOT_FOUND', `No CDS service "${serviceId}". GET /cds-services lists them.`);
    const started = performance.now();
    const raw = (body ?? {}) as Partial<HookRequest>;
    let status = 200;
    let response: unknown;
    try {
      const req = parseRequest(service, body);
      const out = await evaluate(service, req, meta);
      response = out.body;
      const durationMs = performance.now() - started;
      const callId = await record(durationMs);
      return { status, callId, durationMs, ...out };
    } catch (err) {
      status = isAppError(err) ? err.status : 500;
      response = { error: isAppError(err) ? err.code : 'INTERNAL', message: isAppError(err) ? err.message : 'internal error' };
      await record(performance.now() - started).catch(() => undefined);
      throw err;
    }

    async function record(durationMs: number): Promise<string> {
      const id = await audit.record({
        serviceId: service!.id,
        hook: typeof raw.hook === 'string' ? raw.hook : service!.hook,
        hookInstance: typeof raw.hookInstance === 'string' ? raw.hookInstance : '',
        patientId: typeof raw.context?.patientId === 'string' ? raw.context.patientId : null,
        clientIss: meta.client?.iss ?? null,
        status,
        durationMs,
        request: body,
        response,
      });
      deps.logger.info({ cdsCall: id, service: service!.id, hook: service!.hook, status, ms: Math.round(durationMs) }, 'CDS hook call');
      return id;
    }
  }

  return {
    jwt,
    audit,
    discovery,
    call,

    async feedback(serviceId: string, body: unknown, client: VerifiedClient | null) {
      if (!findService(serviceId)) throw new AppError('CDS_SERVICE_NOT_FOUND', `No CDS service "${serviceId}". GET /cds-services lists them.`);
      const r = feedbackSchema.safeParse(body);
      if (!r.success) {
        const problems = problemsOf(r.error.issues);
        throw new AppError('CDS_REQUEST_INVALID', `The feedback is invalid: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
      }
      return feedback.store(serviceId, r.data.feedback, client?.iss ?? null);
    },

    listFeedback: feedback.list,

    /** Sample draft orders for the sandbox and CLI. */
    samples: () => SAMPLE_ORDERS,

    /**
     * Builds the hook request an EHR would send for a patient of the embedded store (and a draft order), with the
     * prefetch filled from the store unless `prefetch` is false (then the service fetches it itself).
     */
    async buildRequest(input: { hook: string; patientId: string; order?: Resource; serviceId?: string; prefetch?: boolean; userId?: string; extension?: Record<string, unknown> }): Promise<{ service: CdsServiceDefinition; request: HookRequest }> {
      const service = input.serviceId ? findService(input.serviceId) : serviceForHook(input.hook);
      if (!service) throw new AppError('CDS_SERVICE_NOT_FOUND', input.serviceId ? `No CDS service "${input.serviceId}".` : `No CDS service for hook ${input.hook}.`);
      const context: HookRequest['context'] = { userId: input.userId ?? 'Practitioner/sandbox-practitioner', patientId: input.patientId };
      if (service.hook !== 'patient-view') {
        const order = asDraft(input.order ?? SAMPLE_ORDERS[0]!.resource, input.patientId, now());
        if (!ORDER_TYPES.has(order.resourceType)) throw new AppError('CDS_REQUEST_INVALID', `A ${order.resourceType} is not an order CRD handles.`, { problems: [{ field: 'order.resourceType', problem: order.resourceType, fix: `Use one of ${[...ORDER_TYPES].join(', ')}.` }] });
        const bundle = { resourceType: 'Bundle' as const, type: 'collection' as const, entry: [{ resource: order }] };
        if (service.hook === 'appointment-book') context.appointments = bundle;
        else context.draftOrders = bundle;
        if (service.hook === 'order-select') context.selections = [refOf(order)];
      }
      const request: HookRequest = { hookInstance: randomUUID(), hook: service.hook, context };
      if (input.extension) request.extension = input.extension;
      if (input.prefetch !== false) {
        const embedded = deps.fhir();
        if (embedded) {
          const pf = await resolvePrefetch({ templates: service.prefetch ?? {}, required: [], context, prefetch: undefined, source: embedded, now: now() });
          request.prefetch = pf.values;
        }
      }
      return { service, request };
    },
  };
}

export type CdsService = ReturnType<typeof createCdsService>;
