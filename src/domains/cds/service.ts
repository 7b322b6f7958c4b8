/**
 * The CDS Hooks service (C7): discovery, hook calls (prefetch → rules → coverage information + cards),
 * feedback, the audit log, and the sandbox helper that builds a hook request from the embedded store.
 * Patient data is read only through FhirDataSource (embedded store or the client's fhirServer); decisions come
 * only from the RuleEngine (CQL). Process logs carry ids, hook, status and timings, never patient data.
 */
import { randomUUID } from 'node:crypto';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Config } from '../../core/config.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { CoverageDecision, RuleEngine } from '../cql/types.ts';
import type { FhirDataSource } from '../fhir/source.ts';
import { checkOutboundUrl } from '../fhir/ssrf.ts';
import { createAuditLog } from './audit.ts';
import { findingCard, instructionsCard, limitCards, needsInstructions, payerName } from './cards.ts';
import { coverageInformationExtension, coverageSystemAction, fixedDecision, normalizeDecision, ORDER_TYPES, type FixedOutcome } from './crd.ts';
import { crdConfiguration, ordersInScope, pickCoverage, refOf } from './scope.ts';
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
  /** Origins that may use http or private addresses (SAGEBRUSH_CDS_FHIR_ALLOW); everything else: https to public addresses. */
  allowOrigins?: readonly string[];
  logger?: Logger;
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

/** The rule threads' queue is full: the caller retries (429 + Retry-After), it is not a technical coverage outcome. */
function isBusy(err: unknown): boolean {
  return isAppError(err) && err.code === 'RATE_LIMITED';
}

function problemsOf(issues: { path: PropertyKey[]; message: string }[]) {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', problem: i.message, fix: 'Send a CDS Hooks 2.0 request (see docs/api.md, CDS Hooks).' }));
}

export function createCdsService(deps: CdsDeps) {
  const now = deps.now ?? (() => new Date());
  const audit = createAuditLog(deps.db, deps.logger);
  const feedback = createFeedbackStore(deps.db);
  const jwt = createJwtVerifier({ clients: deps.config.cdsClients, required: deps.config.cdsRequireJwt ?? deps.config.cdsClients.length > 0, db: deps.db, now });

  /** Where missing data is fetched from: the client's fhirServer, or our embedded store (no fhirServer in local development, or our own /fhir/R4). */
  /** Our own /fhir/R4 (read in-process, no network). */
  function isOwnFhir(fhirServer: string, baseUrl: string): boolean {
    const own = [deps.config.cdsPublicUrl, baseUrl].filter((b): b is string => !!b).map((b) => `${b.replace(/\/+$/, '')}/fhir/R4`);
    return own.includes(fhirServer.replace(/\/+$/, ''));
  }

  function dataSource(req: HookRequest, baseUrl: string): { source: FhirDataSource | null; why?: string } {
    const embedded = deps.fhir() ?? null;
    if (!req.fhirServer) {
      return deps.config.cdsEmbeddedFhir && embedded ? { source: embedded } : { source: null, why: 'the request has no fhirServer to fetch it from' };
    }
    const server = req.fhirServer.replace(/\/+$/, '');
    if (isOwnFhir(server, baseUrl) && embedded) return { source: embedded };
    if (!deps.remoteSource) return { source: null, why: 'this server cannot read external FHIR servers' };
    // The remote source refuses (FHIR_SERVER_NOT_ALLOWED, 400) any other scheme, plain http and internal addresses.
    return { source: deps.remoteSource({ baseUrl: server, accessToken: req.fhirAuthorization?.access_token, timeoutMs: 5000, allowOrigins: deps.config.cdsFhirServerAllow, logger: deps.logger }) };
  }

  function parseRequest(service: CdsServiceDefinition, body: unknown, baseUrl: string): HookRequest {
    const r = hookRequestSchema.safeParse(body);
    if (!r.success) {
      const problems = problemsOf(r.error.issues);
      throw new AppError('CDS_REQUEST_INVALID', `The hook request is invalid: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
    }
    const req = r.data as unknown as HookRequest;
    if (req.hook !== service.hook) throw new AppError('CDS_HOOK_MISMATCH', `Service ${service.id} handles ${service.hook}, but the request is for ${req.hook}.`, { problems: [{ field: 'hook', problem: `expected ${service.hook}`, fix: `Call the service for ${req.hook} listed by GET /cds-services.` }] });
    // fhirServer before anything is read: https to a public address, an allow-listed origin, or our own /fhir/R4.
    if (req.fhirServer && !isOwnFhir(req.fhirServer, baseUrl)) checkOutboundUrl(req.fhirServer, { allowOrigins: deps.config.cdsFhirServerAllow });
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
          if (isBusy(err)) throw err;
          deps.logger.warn({ service: service.id, hookInstance: req.hookInstance, error: (err as Error).name }, 'CDS patient-view rules failed');
        }
      }
      return { body: { cards: limitCards(cards, cfg.maxCards) }, prefetch: pf.sources, decisions };
    }

    const scope = ordersInScope(hook, req.context, pf.pool);
    // order-dispatch names its orders by reference: read any not sent from the data source, else 412.
    for (const ref of scope.missing) {
      const [type, id] = ref.split('/') as [string, string];
      const found = src.source ? await src.source.read(type, id).catch(() => null) : null;
      if (found && ORDER_TYPES.has(found.resourceType)) scope.orders.push(found);
      else throw new AppError('CDS_PREFETCH_UNAVAILABLE', `Needed data is missing: the dispatched order ${ref} was not prefetched (under any key) and ${src.source ? 'could not be read from fhirServer' : (src.why ?? 'there is no fhirServer')}.`, { problems: [{ field: 'context.dispatchedOrders', problem: `${ref} not found`, fix: `Prefetch ${ref} (e.g. under "${type.charAt(0).toLowerCase()}${type.slice(1)}s"), or send a reachable fhirServer with fhirAuthorization.` }] });
    }
    for (const order of scope.orders) {
      let decision: CoverageDecision;
      if (!patient) decision = fixedDecision('no-member-found');
      else if (!coverage) decision = fixedDecision((picked as { outcome: FixedOutcome }).outcome, (picked as { detail: string }).detail);
      else if (!rules) decision = fixedDecision('technical', 'No rule engine is configured.');
      else {
        try {
          decision = await rules.evaluateOrder({ hook, patientBundle, order, coverage });
        } catch (err) {
          if (isBusy(err)) throw err;
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
      const req = parseRequest(service, body, meta.baseUrl);
      const out = await evaluate(service, req, meta);
      response = out.body;
      const durationMs = performance.now() - started;
      const callId = record(durationMs);
      return { status, callId, durationMs, ...out };
    } catch (err) {
      status = isAppError(err) ? err.status : 500;
      response = { error: isAppError(err) ? err.code : 'INTERNAL', message: isAppError(err) ? err.message : 'internal error' };
      record(performance.now() - started);
      throw err;
    }

    function record(durationMs: number): string {
      const id = audit.record({
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
    /** Writes the queued audit rows (the app calls it before closing the database). */
    close: () => audit.flush(),

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
      let dispatched: Resource | null = null;
      if (service.hook === 'order-dispatch') {
        // The orders exist in the EHR (not in our store): they travel in the prefetch, under the CRD name `orders`.
        dispatched = { ...asDraft(input.order ?? SAMPLE_ORDERS[0]!.resource, input.patientId, now()), status: 'active' } as Resource;
        delete context.userId;
        context.dispatchedOrders = [refOf(dispatched)];
        context.performer = 'Organization/sandbox-performer';
      } else if (service.hook !== 'patient-view') {
        const order = asDraft(input.order ?? SAMPLE_ORDERS[0]!.resource, input.patientId, now());
        if (!ORDER_TYPES.has(order.resourceType)) throw new AppError('CDS_REQUEST_INVALID', `A ${order.resourceType} is not an order CRD handles.`, { problems: [{ field: 'order.resourceType', problem: order.resourceType, fix: `Use one of ${[...ORDER_TYPES].join(', ')}.` }] });
        const bundle = { resourceType: 'Bundle' as const, type: 'collection' as const, entry: [{ resource: order }] };
        if (service.hook === 'appointment-book') context.appointments = bundle;
        else context.draftOrders = bundle;
        if (service.hook === 'order-select') context.selections = [refOf(order)];
      }
      const request: HookRequest = { hookInstance: randomUUID(), hook: service.hook, context };
      if (input.extension) request.extension = input.extension;
      const orders = dispatched ? { orders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: dispatched }] } as Resource } : undefined;
      if (input.prefetch !== false) {
        const embedded = deps.fhir();
        if (embedded) {
          const pf = await resolvePrefetch({ templates: service.prefetch ?? {}, required: [], context, prefetch: orders, source: embedded, now: now() });
          request.prefetch = pf.values;
        }
      }
      if (orders) request.prefetch = { ...request.prefetch, ...orders };
      return { service, request };
    },
  };
}

export type CdsService = ReturnType<typeof createCdsService>;
