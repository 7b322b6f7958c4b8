/**
 * FHIR R4 REST at /fhir/R4 (an encapsulated plugin: its own body parsers, error and not-found handlers,
 * so every error is an OperationOutcome with the right status, not the API's problem+json), plus
 * GET /api/v1/fhir/patients for the UI's patient pickers.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import { fhirJsonParser } from './body.ts';
import { capabilityStatement } from './capability.ts';
import { errorOutcome, operationOutcome } from './operationOutcome.ts';
import type { FhirService } from './service.ts';

export const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const tags = ['fhir'];

/** What the /fhir/R4 plugin uses. */
export interface FhirRouteDeps {
  fhir: FhirService;
  /** The server's public URL (SAGEBRUSH_CDS_PUBLIC_URL) for links and Location headers; else the request's host. */
  publicUrl?: string | undefined;
}

/** What the /api/v1/fhir helpers use. */
export interface FhirApiRouteDeps {
  fhir: FhirService;
}

function baseUrl(deps: FhirRouteDeps, req: FastifyRequest): string {
  return `${deps.publicUrl ?? `${req.protocol}://${req.host}`}${FHIR_PREFIX}`;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

function versionHeaders(reply: FastifyReply, r: Resource): void {
  if (r.meta?.versionId) reply.header('etag', `W/"${r.meta.versionId}"`);
  if (r.meta?.lastUpdated) reply.header('last-modified', new Date(r.meta.lastUpdated).toUTCString());
}

/** Query string → params record (repeated keys become arrays), from the raw URL so order and repeats survive. */
function rawParams(url: string): Record<string, string | string[]> {
  const q = url.indexOf('?');
  const out: Record<string, string | string[]> = {};
  if (q < 0) return out;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function asResource(body: unknown): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('FHIR_RESOURCE_INVALID', 'The request body must be a FHIR resource (a JSON object with resourceType).', {
      problems: [{ field: 'body', problem: 'not a JSON object', fix: 'Send Content-Type: application/fhir+json with a resource.' }],
    });
  }
  return body as Resource;
}

/** fastify's own errors (bad JSON, media type, size) as AppErrors. */
function normalise(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  const map: Record<number, ErrorCode> = { 400: 'BAD_REQUEST', 404: 'ROUTE_NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };
  if (e?.statusCode && map[e.statusCode]) {
    const fix = e.statusCode === 415 ? 'Send Content-Type: application/fhir+json (or application/json).' : 'Send a valid FHIR JSON body.';
    return new AppError(map[e.statusCode]!, e.message ?? 'Bad request', { problems: [{ field: 'body', problem: e.message ?? 'bad request', fix }] });
  }
  return undefined;
}

/** The /fhir/R4 plugin; register at the server root. */
export async function fhirRoutes(app: FastifyInstance, deps: FhirRouteDeps): Promise<void> {
  await app.register(
    async (fhir) => {
      const svc = deps.fhir;
      const jsonParser = fhirJsonParser(fhir);
      fhir.removeAllContentTypeParsers();
      fhir.addContentTypeParser(['application/fhir+json', 'application/json', 'application/json+fhir'], { parseAs: 'buffer' }, (req, body, done) => jsonParser(req, body as Buffer, done));
      fhir.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });

      fhir.setErrorHandler((err, req, reply) => {
        const appErr = normalise(err);
        if (!appErr) req.log.error({ err, requestId: req.id }, 'unhandled FHIR error');
        const { status, outcome } = errorOutcome(appErr ?? new AppError('INTERNAL', `Internal error; quote request id ${req.id} when reporting it.`));
        if (status === 401) reply.header('www-authenticate', 'Bearer');
        return send(reply, status, outcome);
      });
      fhir.setNotFoundHandler((req, reply) =>
        send(reply, 404, operationOutcome('error', 'not-supported', `No FHIR interaction ${req.method} ${req.url.split('?')[0]}; see ${FHIR_PREFIX}/metadata.`)),
      );
      // Auth: the app's global hook (src/http/auth.ts) — every route here needs the API token when tokens
      // are set (patient data is never open), except the CapabilityStatement.
      fhir.get('/metadata', { config: { auth: 'open' }, schema: { tags, summary: 'CapabilityStatement' } }, async (req, reply) => send(reply, 200, capabilityStatement(baseUrl(deps, req), '0.1.0')));

      fhir.post('/', { schema: { tags, summary: 'Transaction or batch Bundle' } }, async (req, reply) => {
        const prefer = String(req.headers.prefer ?? '');
        const out = await svc.transaction(asResource(req.body) as Bundle, { baseUrl: baseUrl(deps, req), returnResources: /return=representation/.test(prefer) });
        return send(reply, 200, out);
      });

      fhir.get<{ Params: { type: string } }>('/:type', { schema: { tags, summary: 'Search' } }, async (req, reply) =>
        send(reply, 200, await svc.search(req.params.type, rawParams(req.url), { baseUrl: baseUrl(deps, req) })),
      );

      fhir.post<{ Params: { type: string } }>('/:type/_search', { schema: { tags, summary: 'Search (form-encoded parameters, keeps them out of URLs and logs)' } }, async (req, reply) => {
        const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string>;
        return send(reply, 200, await svc.search(req.params.type, { ...rawParams(req.url), ...form }, { baseUrl: baseUrl(deps, req) }));
      });

      fhir.post<{ Params: { type: string } }>('/:type', { schema: { tags, summary: 'Create (If-None-Exist for a conditional create)' } }, async (req, reply) => {
        const body = asResource(req.body);
        if (body.resourceType !== req.params.type) {
          throw new AppError('FHIR_RESOURCE_INVALID', `The body is a ${String(body.resourceType)} but the URL names ${req.params.type}`, { problems: [{ field: 'resourceType', problem: `expected ${req.params.type}`, fix: 'POST the resource to its own type.' }] });
        }
        const ifNoneExist = req.headers['if-none-exist'];
        const { resource, created } = typeof ifNoneExist === 'string' && ifNoneExist
          ? await svc.createIfNoneExist(body, ifNoneExist)
          : { resource: await svc.create(body), created: true };
        versionHeaders(reply, resource);
        reply.header('location', `${baseUrl(deps, req)}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`);
        if (/return=minimal/.test(String(req.headers.prefer ?? ''))) return reply.status(created ? 201 : 200).send();
        return send(reply, created ? 201 : 200, resource);
      });

      fhir.get<{ Params: { type: string; id: string } }>('/:type/:id', { schema: { tags, summary: 'Read' } }, async (req, reply) => {
        const r = await svc.get(req.params.type, req.params.id);
        versionHeaders(reply, r);
        return send(reply, 200, r);
      });

      fhir.put<{ Params: { type: string; id: string } }>('/:type/:id', { schema: { tags, summary: 'Update (or create with this id); If-Match for optimistic locking' } }, async (req, reply) => {
        const ifMatch = req.headers['if-match'];
        const { resource, created } = await svc.update(req.params.type, req.params.id, asResource(req.body), typeof ifMatch === 'string' ? { ifMatch } : {});
        versionHeaders(reply, resource);
        if (created) reply.header('location', `${baseUrl(deps, req)}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`);
        return send(reply, created ? 201 : 200, resource);
      });

      fhir.delete<{ Params: { type: string; id: string } }>('/:type/:id', { schema: { tags, summary: 'Delete' } }, async (req, reply) => {
        const deleted = await svc.delete(req.params.type, req.params.id);
        return send(reply, 200, operationOutcome('information', 'informational', deleted ? `Deleted ${req.params.type}/${req.params.id}.` : `${req.params.type}/${req.params.id} did not exist; nothing to delete.`));
      });

      fhir.get<{ Params: { type: string; id: string } }>('/:type/:id/_history', { schema: { tags, summary: 'Versions of a resource, newest first' } }, async (req, reply) =>
        send(reply, 200, await svc.history(req.params.type, req.params.id, { baseUrl: baseUrl(deps, req) })),
      );

      fhir.get<{ Params: { type: string; id: string; vid: string } }>('/:type/:id/_history/:vid', { schema: { tags, summary: 'Read one version' } }, async (req, reply) => {
        const r = await svc.vread(req.params.type, req.params.id, req.params.vid);
        versionHeaders(reply, r);
        return send(reply, 200, r);
      });

      fhir.get<{ Params: { id: string } }>('/Patient/:id/$everything', { schema: { tags, summary: "A patient's data as the CDS rules see it (patientBundle)" } }, async (req, reply) => {
        const b = await svc.patientBundle(req.params.id, { baseUrl: baseUrl(deps, req) });
        if (!b) throw new AppError('FHIR_NOT_FOUND', `Patient/${req.params.id} does not exist in the FHIR store.`, { problems: [{ field: 'Patient.id', problem: 'unknown patient', fix: 'List patients with GET /api/v1/fhir/patients.' }] });
        return send(reply, 200, b);
      });
    },
    { prefix: FHIR_PREFIX },
  );
}

const patientsQuerySchema = z.object({
  name: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(400).optional(),
});

const patientsSchema = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string(), birthDate: z.string().nullable(), gender: z.string().nullable(), coverage: z.string().nullable() })),
  nextCursor: z.string().nullable(),
});

const countsSchema = z.object({ counts: z.record(z.string(), z.number()) });

const importQuerySchema = z.object({
  withCoverage: z.string().min(1).max(200).optional(),
  /** Comma-separated plan ids spread over the patients, e.g. acme-gold,acme-standard. */
  plans: z.string().max(500).optional(),
});

const importResultSchema = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  byType: z.record(z.string(), z.number()),
  coverages: z.number(),
  patients: z.array(z.string()),
  entries: z.number(),
  elapsedMs: z.number(),
});

/** Under /api/v1: JSON (not FHIR) helpers for the UI. */
export async function fhirApiRoutes(app: FastifyInstance, deps: FhirApiRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/fhir/patients', {
    schema: { tags, summary: 'Patients in the embedded FHIR store (name search, keyset paging) with their active coverage', querystring: patientsQuerySchema, response: { 200: patientsSchema } },
  }, async (req) => deps.fhir.listPatients(req.query));
  r.post('/fhir/import', {
    schema: {
      tags,
      summary: 'Import a Synthea-style transaction (or collection) Bundle, keeping resource ids, all or nothing; optionally add a Coverage per patient',
      querystring: importQuerySchema,
      response: { 200: importResultSchema },
    },
  }, async (req) => {
    const started = Date.now();
    const bundle = req.body as Bundle;
    const plans = req.query.plans?.split(',').map((p) => p.trim()).filter(Boolean);
    const result = await deps.fhir.importBundle(bundle, { ...(req.query.withCoverage ? { withCoverage: req.query.withCoverage } : {}), ...(plans?.length ? { plans } : {}) });
    return { ...result, entries: Array.isArray(bundle?.entry) ? bundle.entry.length : 0, elapsedMs: Date.now() - started };
  });
  r.get('/fhir/counts', {
    schema: { tags, summary: 'Live resources per type in the embedded FHIR store', response: { 200: countsSchema } },
  }, async () => ({ counts: await deps.fhir.counts() }));
}
