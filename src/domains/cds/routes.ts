/**
 * HTTP: the CDS Hooks endpoints at the server root (GET /cds-services, POST /cds-services/{id}, POST
 * /cds-services/{id}/feedback) with their own access check (`auth: 'cds'`: a registered client's JWT or an API
 * token; never anonymous once API tokens are set), CORS limited to configured origins and errors as
 * OperationOutcome; and the studio API under /api/v1/cds (services, samples, the sandbox's `try`, the audit log
 * and feedback lists).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Resource } from '@medplum/fhirtypes';
import { z } from 'zod';
import { AppError, isAppError } from '../../core/errors.ts';
import { toProblem } from '../../core/http/problem.ts';
import { problemOutcome } from '../fhir/operationOutcome.ts';
import { readCoverageInformation } from './crd.ts';
import { FHIR_ID } from './schema.ts';
import type { CdsService } from './service.ts';

const hooksTags = { tags: ['cds-hooks'] };
const apiTags = { tags: ['cds'] };

/** What the CDS Hooks plugin (at the server root) uses. */
export interface CdsHooksRouteDeps {
  cds: CdsService;
  /** SAGEBRUSH_CDS_PUBLIC_URL: the URL clients call (JWT audiences, fhirServer links); else the request's own host. */
  publicUrl?: string | undefined;
  /** SAGEBRUSH_CDS_CORS_ORIGINS: browser origins that may call the services ('*' for any). */
  corsOrigins: readonly string[];
  /** SAGEBRUSH_API_TOKENS: a valid one admits the caller without a client JWT. */
  apiTokens: readonly string[];
  /** The app's constant-time API-token check (src/http/auth.ts). */
  hasValidApiToken: (request: FastifyRequest, tokens: readonly string[]) => boolean;
}

/** What the /api/v1/cds studio routes use. */
export interface CdsApiRouteDeps {
  cds: CdsService;
  publicUrl?: string | undefined;
}

function publicBase(deps: { publicUrl?: string | undefined }, req: FastifyRequest): string {
  return deps.publicUrl ?? `${req.protocol}://${req.host}`;
}

function originAllowed(deps: CdsHooksRouteDeps, req: FastifyRequest, origin: string): boolean {
  const allowed = deps.corsOrigins;
  return allowed.includes(origin) || allowed.includes('*') || origin === `${req.protocol}://${req.host}`;
}

/** Root plugin: the CDS Hooks API proper. */
export async function cdsHooksRoutes(root: FastifyInstance, deps: CdsHooksRouteDeps): Promise<void> {
  const { cds, apiTokens: tokens, hasValidApiToken } = deps;

  root.setErrorHandler((err, request, reply) => {
    const { body, internal } = toProblem(err, request.id, request.url);
    if (internal) request.log.error({ err, requestId: request.id }, 'unhandled error in CDS Hooks route');
    if (body.status === 401) reply.header('www-authenticate', 'Bearer');
    // A full rule-evaluation queue (RATE_LIMITED from the CQL thread pool) says when to come back.
    if (isAppError(err) && typeof err.extra?.retryAfter === 'number') reply.header('retry-after', String(err.extra.retryAfter));
    return reply.status(body.status).type('application/json').send(problemOutcome(body));
  });

  // CORS only for /cds-services: configured origins (and this server's own); never credentials.
  root.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !originAllowed(deps, req, origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    reply.header('access-control-expose-headers', 'x-request-id');
  });
  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !originAllowed(deps, req, origin)) {
      throw new AppError('CDS_CORS_ORIGIN_DENIED', `Origin ${typeof origin === 'string' ? origin : '(none)'} may not call the CDS services. Allowed: ${deps.corsOrigins.join(', ') || 'none configured'}.`);
    }
    return reply
      .status(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type, accept')
      .header('access-control-max-age', '600')
      .send();
  };
  root.options('/cds-services', { schema: { hide: true }, config: { auth: 'open' } }, preflight);
  root.options('/cds-services/*', { schema: { hide: true }, config: { auth: 'open' } }, preflight);

  /**
   * Who may call: an API token (SAGEBRUSH_API_TOKENS) or a registered client's JWT (SAGEBRUSH_CDS_CLIENTS);
   * when API tokens are set and no clients are registered, nobody anonymous (hooks return patient data). Open
   * only when neither is configured (local development). The verified client, or null for a token / open use.
   */
  const verify = async (req: FastifyRequest, audiences: string[]) => {
    if (tokens.length > 0 && hasValidApiToken(req, tokens)) return null;
    if (cds.jwt.required) return cds.jwt.verify(req.headers.authorization, audiences);
    if (tokens.length > 0) {
      throw new AppError('UNAUTHORIZED', 'The CDS services need Authorization: Bearer <API token> (SAGEBRUSH_API_TOKENS) or a JWT signed by a registered CDS client (SAGEBRUSH_CDS_CLIENTS).');
    }
    return cds.jwt.verify(req.headers.authorization, audiences);
  };

  // Discovery holds no patient data (auth 'open' for the API-token layer); a registered client's JWT is still checked.
  root.get('/cds-services', { config: { auth: 'open' }, schema: { ...hooksTags, summary: 'CDS Hooks discovery: the services, their hooks, prefetch templates and CRD extensions' } }, async (req) => {
    if (!(tokens.length > 0 && hasValidApiToken(req, tokens))) await cds.jwt.verify(req.headers.authorization, [`${publicBase(deps, req)}/cds-services`]);
    return cds.discovery();
  });

  root.post<{ Params: { id: string } }>('/cds-services/:id', { config: { auth: 'cds' }, schema: { ...hooksTags, summary: 'Call a CDS service (CDS Hooks 2.0 request) → cards and CRD coverage-information system actions' } }, async (req, reply) => {
    const client = await verify(req, [`${publicBase(deps, req)}/cds-services/${req.params.id}`]);
    const out = await cds.call(req.params.id, req.body, { client, baseUrl: publicBase(deps, req) });
    return reply.status(out.status).type('application/json').send(out.body);
  });

  root.post<{ Params: { id: string } }>('/cds-services/:id/feedback', { config: { auth: 'cds' }, schema: { ...hooksTags, summary: 'Card feedback (accepted / overridden, with override reasons)' } }, async (req) => {
    const base = `${publicBase(deps, req)}/cds-services/${req.params.id}`;
    const client = await verify(req, [`${base}/feedback`, base]);
    return cds.feedback(req.params.id, req.body, client);
  });
}

const tryBody = z.object({
  hook: z.enum(['patient-view', 'order-select', 'order-sign', 'appointment-book', 'order-dispatch']),
  patientId: z.string().regex(FHIR_ID, 'a FHIR id (1-64 of A-Z a-z 0-9 - .)'),
  /** A draft order (MedicationRequest, ServiceRequest, …); default: the amoxicillin sample. */
  order: z.looseObject({ resourceType: z.string().min(1) }).optional(),
  serviceId: z.string().optional(),
  /** Fill the prefetch from the embedded store like an EHR (default), or send none so the service fetches. */
  prefetch: z.boolean().default(true),
  userId: z.string().optional(),
  extension: z.record(z.string(), z.unknown()).optional(),
});

/** /api/v1 plugin: what the sandbox UI and the CLI use. */
export async function cdsApiRoutes(api: FastifyInstance, deps: CdsApiRouteDeps): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();
  const { cds } = deps;

  r.get('/cds/services', { schema: { ...apiTags, summary: 'The CDS services (same as GET /cds-services, without the client JWT)' } }, async () => cds.discovery());
  r.get('/cds/samples', { schema: { ...apiTags, summary: 'Sample draft orders for the sandbox' } }, async () => ({ items: cds.samples() }));

  r.post('/cds/try', {
    schema: { ...apiTags, summary: 'Sandbox: build the hook request an EHR would send for a stored patient and draft order, call the service in-process, return request, response and coverage information', body: tryBody },
  }, async (req) => {
    const { service, request } = await cds.buildRequest({ ...req.body, order: req.body.order as Resource | undefined });
    const base = publicBase(deps, req);
    try {
      const out = await cds.call(service.id, request, { client: null, baseUrl: base });
      const coverageInformation = (out.body.systemActions ?? []).map((a) => ({ resource: a.resource ? `${a.resource.resourceType}/${a.resource.id ?? ''}` : '', items: a.resource ? readCoverageInformation(a.resource) : [] }));
      return { serviceId: service.id, request, status: out.status, response: out.body, callId: out.callId, durationMs: out.durationMs, prefetch: out.prefetch, decisions: out.decisions, coverageInformation };
    } catch (err) {
      if (!isAppError(err)) throw err;
      const { body } = toProblem(err, req.id);
      return { serviceId: service.id, request, status: body.status, response: problemOutcome(body), callId: null, durationMs: null, prefetch: {}, decisions: {}, coverageInformation: [] };
    }
  });

  r.get('/cds/calls', {
    schema: { ...apiTags, summary: 'The hook-call audit log, newest first', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().optional(), serviceId: z.string().optional(), patientId: z.string().optional() }) },
  }, async (req) => cds.audit.list(req.query));

  r.get('/cds/calls/:id', { schema: { ...apiTags, summary: 'One audited hook call with its request (token redacted) and response', params: z.object({ id: z.string() }) } }, async (req) => cds.audit.get(req.params.id));

  r.get('/cds/feedback', {
    schema: { ...apiTags, summary: 'Card feedback received, newest first', querystring: z.object({ card: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }) },
  }, async (req) => ({ items: await cds.listFeedback(req.query) }));

  r.post('/cds/feedback/:serviceId', {
    schema: { ...apiTags, summary: 'Sandbox: send card feedback to a service in-process (as POST /cds-services/{id}/feedback)', params: z.object({ serviceId: z.string() }) },
  }, async (req) => cds.feedback(req.params.serviceId, req.body, null));
}
