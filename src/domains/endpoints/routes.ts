/**
 * /api/v1/endpoints: create, list, read, re-point and delete real-time endpoints, their metrics, and the invocation
 * routes of every registered model kind (mounted from the model-kind table: invocations.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { endpointNameParams as nameParam, type ModelKindRegistry } from '../models/kinds.ts';
import { mountInvocationRoutes, withHeaderConfig } from './invocations.ts';
import { metricsQuerySchema, metricsReportSchema } from './schema.ts';
import type { EndpointService } from './service.ts';

export interface EndpointRouteDeps {
  endpoints: EndpointService;
  kinds: ModelKindRegistry;
}

export async function endpointRoutes(app: FastifyInstance, deps: EndpointRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { endpoints, kinds } = deps;

  r.post('/endpoints', {
    schema: { tags: ['endpoints'], summary: 'Create a real-time endpoint bound to a model version', body: z.object({ name: z.string().min(1), model: z.string().min(1).describe('NAME, NAME:VERSION or a model id'), config: z.record(z.string(), z.unknown()).optional() }) },
  }, async (req, reply) => reply.status(201).send(await endpoints.create({ ...req.body, config: withHeaderConfig(kinds, req.body.config, req.headers) })));

  r.get('/endpoints', { schema: { tags: ['endpoints'], summary: 'List endpoints', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }) } }, async (req) =>
    endpoints.list(req.query),
  );

  r.get('/endpoints/:name', { schema: { tags: ['endpoints'], params: nameParam } }, async (req) => endpoints.get(req.params.name));

  r.patch('/endpoints/:name', {
    schema: { tags: ['endpoints'], summary: 'Point the endpoint at another model version, or change its config', params: nameParam, body: z.object({ model: z.string().min(1).optional(), config: z.record(z.string(), z.unknown()).optional() }) },
  }, async (req) => endpoints.update(req.params.name, { ...req.body, config: withHeaderConfig(kinds, req.body.config, req.headers) }));

  r.delete('/endpoints/:name', { schema: { tags: ['endpoints'], params: nameParam } }, async (req, reply) => {
    await endpoints.delete(req.params.name);
    return reply.status(204).send();
  });

  r.get('/endpoints/:name/metrics', {
    schema: { tags: ['endpoints'], summary: 'Requests, errors and latency percentiles (p50/p95/p99) of the endpoint over a window, with a per-minute series; in memory since the process started', params: nameParam, querystring: metricsQuerySchema, response: { 200: metricsReportSchema } },
  }, async (req) => endpoints.metricsReport(req.params.name, req.query.window));

  await mountInvocationRoutes(app, endpoints, kinds);
}
