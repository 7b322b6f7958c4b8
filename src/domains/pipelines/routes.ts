/**
 * /api/v1/pipelines: apply a definition (JSON, or `{text}` holding the YAML/JSON file), list pipelines and their
 * versions, start runs, list / read / cancel / advance runs, step logs, and lineage queries in both directions. The
 * orchestrator and the trigger scheduler start when the server listens (`serve`), never in a one-shot CLI command,
 * which assembles the app in-process and calls it through inject: such a command exits at once, and must not start
 * other runs' steps or fire triggers on its way out. It drives only the run it follows (POST …/advance).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LINEAGE_KINDS } from './lineage.ts';
import { parseDefinitionText, type PipelineService } from './service.ts';

export interface PipelineRouteDeps {
  pipelines: PipelineService;
}

const nameParam = z.object({ name: z.string().min(1).max(63) });
const runParam = z.object({ id: z.string().min(1).max(100) });
const scalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);

export async function pipelineRoutes(app: FastifyInstance, deps: PipelineRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { pipelines } = deps;
  app.addHook('onListen', async () => pipelines.start());
  app.addHook('onClose', async () => pipelines.stop());
  const tags = ['pipelines'];

  r.post('/pipelines', {
    schema: { tags, summary: 'Apply a pipeline definition: a new version when it changed, else the current one', body: z.record(z.string(), z.unknown()).describe('the definition, or {text: "<YAML or JSON file>"}') },
  }, async (req, reply) => {
    const body = req.body;
    const input = Object.keys(body).length === 1 && typeof body.text === 'string' ? parseDefinitionText(body.text) : body;
    const out = await pipelines.apply(input);
    return reply.status(out.created ? 201 : 200).send(out);
  });
  r.get('/pipelines', { schema: { tags, summary: 'List pipelines' } }, async () => ({ items: await pipelines.list() }));

  r.get('/pipelines/runs', {
    schema: { tags, summary: 'List runs, newest first', querystring: z.object({ pipeline: z.string().max(63).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(100).optional() }) },
  }, async (req) => pipelines.listRuns(req.query));
  r.get('/pipelines/runs/:id', { schema: { tags, summary: 'A run with its steps (status, worker, seconds, cached, outputs)', params: runParam } }, async (req) => pipelines.getRun(req.params.id));
  r.post('/pipelines/runs/:id/cancel', { schema: { tags, summary: 'Cancel a run: its running jobs are cancelled', params: runParam } }, async (req) => pipelines.cancelRun(req.params.id));
  r.post('/pipelines/runs/:id/advance', {
    schema: { tags, summary: "Advance a run now: start the steps that are ready, take finished jobs into account (serve's orchestrator does this by itself)", params: runParam },
  }, async (req) => pipelines.advanceRun(req.params.id));
  r.get('/pipelines/runs/:id/logs', {
    schema: { tags, summary: "Step logs (the orchestrator's lines and each step's job log)", params: runParam, querystring: z.object({ step: z.string().max(63).optional() }) },
  }, async (req) => ({ items: await pipelines.logs(req.params.id, req.query.step) }));
  r.get('/pipelines/lineage', {
    schema: { tags, summary: 'Lineage of a dataset version, run, model version or endpoint: upstream and downstream', querystring: z.object({ kind: z.enum(LINEAGE_KINDS), id: z.string().min(1).max(200) }) },
  }, async (req) => pipelines.lineage(req.query.kind, req.query.id));

  r.get('/pipelines/:name', { schema: { tags, summary: 'The latest version of a pipeline', params: nameParam } }, async (req) => pipelines.get(req.params.name));
  r.get('/pipelines/:name/triggers', { schema: { tags, summary: 'The triggers of the latest version: last firing and next fire time', params: nameParam } }, async (req) => ({ items: await pipelines.triggers(req.params.name) }));
  r.get('/pipelines/:name/versions', { schema: { tags, params: nameParam } }, async (req) => ({ items: await pipelines.versions(req.params.name) }));
  r.get('/pipelines/:name/versions/:version', { schema: { tags, params: nameParam.extend({ version: z.coerce.number().int().positive() }) } }, async (req) => pipelines.get(req.params.name, req.params.version));
  r.post('/pipelines/:name/runs', {
    schema: { tags, summary: 'Start a run (202); follow it with GET /pipelines/runs/{id}', params: nameParam, body: z.object({ params: z.record(z.string(), scalar).default({}), version: z.number().int().positive().optional() }).default({ params: {} }) },
  }, async (req, reply) => reply.status(202).send(await pipelines.startRun(req.params.name, req.body.params, { type: 'manual', detail: { via: 'api' } }, req.body.version)));
}
