import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../core/http/contentDisposition.ts';
import type { ModelKindRegistry } from './kinds.ts';
import type { ModelService } from './service.ts';

const nameParam = z.object({ name: z.string().min(1) });
const versionParams = z.object({ name: z.string().min(1), version: z.coerce.number().int().positive() });

const invocationSchema = z.object({
  method: z.enum(['GET', 'POST']),
  path: z.string().describe('the segment after /endpoints/{name}/'),
  url: z.string().describe('e.g. /api/v1/endpoints/{name}/classify'),
  summary: z.string(),
});
const kindSchema = z.object({ kind: z.string(), label: z.string(), invocations: z.array(invocationSchema) });

export interface ModelRouteDeps {
  models: ModelService;
  /** The model-kind table: GET /model-kinds lists what endpoints can serve and on which routes. */
  kinds: ModelKindRegistry;
}

export async function modelRoutes(app: FastifyInstance, deps: ModelRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { models, kinds } = deps;

  // Not /models/kinds: that path is GET /models/{name} of a model named "kinds".
  r.get('/model-kinds', {
    schema: { tags: ['models'], summary: 'The model kinds endpoints can serve, each with its invocation routes', response: { 200: z.object({ items: z.array(kindSchema) }) } },
  }, async () => ({ items: kinds.names().map((k) => kinds.info(k, app.prefix)) }));

  r.get('/model-kinds/:kind', {
    schema: { tags: ['models'], summary: 'One model kind and its invocation routes (404 MODEL_KIND_UNKNOWN)', params: z.object({ kind: z.string().min(1) }), response: { 200: kindSchema } },
  }, async (req) => kinds.info(req.params.kind, app.prefix));

  r.get('/models', {
    schema: {
      tags: ['models'],
      summary: 'List model versions, newest first',
      querystring: z.object({ kind: z.string().optional(), name: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }),
    },
  }, async (req) => models.list(req.query));

  r.get('/models/:name', { schema: { tags: ['models'], summary: 'All versions of a model', params: nameParam } }, async (req) => {
    const page = await models.list({ name: req.params.name, limit: 200 });
    if (page.items.length === 0) await models.get(req.params.name);
    return { name: req.params.name, versions: page.items };
  });

  r.get('/models/:name/versions/:version', { schema: { tags: ['models'], summary: 'One model version', params: versionParams } }, async (req) =>
    models.get(req.params.name, req.params.version),
  );

  r.delete('/models/:name/versions/:version', { schema: { tags: ['models'], summary: 'Delete a model version (refused while an endpoint uses it)', params: versionParams } }, async (req, reply) => {
    await models.delete(req.params.name, req.params.version);
    return reply.status(204).send();
  });

  r.delete('/models/:name', { schema: { tags: ['models'], summary: 'Delete every version of a model', params: nameParam } }, async (req, reply) => {
    await models.delete(req.params.name);
    return reply.status(204).send();
  });

  r.get('/models/:name/versions/:version/artifacts/:artifact', {
    schema: { tags: ['models'], summary: 'Download a model artifact (e.g. output.tar.gz, metrics.json)', params: versionParams.extend({ artifact: z.string().min(1) }) },
  }, async (req, reply) => {
    const { key, body } = await models.readArtifact(req.params.name, req.params.version, req.params.artifact);
    const file = key.split('/').pop() ?? 'artifact';
    const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.gz') ? 'application/gzip' : file.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/octet-stream';
    return reply.type(type).header('content-disposition', contentDisposition(file)).send(body);
  });
}
