import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../core/errors.ts';
import { eulaAcceptedInRequest } from '../llm/eula.ts';
import { nameFromParams, recordInvocation } from './hook.ts';
import { metricsQuerySchema, metricsReportSchema } from './schema.ts';

const nameParam = z.object({ name: z.string().min(1) });
/** Comprehend's real-time limits: one document up to 10 KB per call, batch calls up to 25 documents. */
export const CLASSIFY_MAX_BATCH = 25;
export const CLASSIFY_MAX_TEXT_BYTES = 10 * 1024;

const classifyBody = z
  .object({
    Text: z.string().optional(),
    TextList: z.array(z.string()).optional(),
  })
  .refine((b) => (b.Text === undefined) !== (b.TextList === undefined), { message: 'send exactly one of "Text" (one document) or "TextList" (up to 25 documents)' });

/** JumpStart compatibility: `X-Amzn-SageMaker-Custom-Attributes: accept_eula=true` accepts a model's licence. */
function withHeaderEula(config: Record<string, unknown> | undefined, headers: Record<string, string | string[] | undefined>): Record<string, unknown> | undefined {
  return eulaAcceptedInRequest(headers) ? { ...(config ?? {}), acceptEula: true } : config;
}

export async function endpointRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const endpoints = ctx.services.endpoints;

  r.post('/endpoints', {
    schema: { tags: ['endpoints'], summary: 'Create a real-time endpoint bound to a model version', body: z.object({ name: z.string().min(1), model: z.string().min(1).describe('NAME, NAME:VERSION or a model id'), config: z.record(z.string(), z.unknown()).optional() }) },
  }, async (req, reply) => reply.status(201).send(await endpoints.create({ ...req.body, config: withHeaderEula(req.body.config, req.headers) })));

  r.get('/endpoints', { schema: { tags: ['endpoints'], summary: 'List endpoints', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }) } }, async (req) =>
    endpoints.list(req.query),
  );

  r.get('/endpoints/:name', { schema: { tags: ['endpoints'], params: nameParam } }, async (req) => endpoints.get(req.params.name));

  r.patch('/endpoints/:name', {
    schema: { tags: ['endpoints'], summary: 'Point the endpoint at another model version, or change its config', params: nameParam, body: z.object({ model: z.string().min(1).optional(), config: z.record(z.string(), z.unknown()).optional() }) },
  }, async (req) => endpoints.update(req.params.name, { ...req.body, config: withHeaderEula(req.body.config, req.headers) }));

  r.delete('/endpoints/:name', { schema: { tags: ['endpoints'], params: nameParam } }, async (req, reply) => {
    await endpoints.delete(req.params.name);
    return reply.status(204).send();
  });

  r.get('/endpoints/:name/metrics', {
    schema: { tags: ['endpoints'], summary: 'Requests, errors and latency percentiles (p50/p95/p99) of the endpoint over a window, with a per-minute series; in memory since the process started', params: nameParam, querystring: metricsQuerySchema, response: { 200: metricsReportSchema } },
  }, async (req) => endpoints.metricsReport(req.params.name, req.query.window));

  r.post('/endpoints/:name/classify', {
    schema: {
      tags: ['endpoints'],
      summary: 'Classify text (Comprehend ClassifyDocument shape; TextList for up to 25 documents)',
      params: nameParam,
      body: classifyBody,
    },
    onResponse: recordInvocation(endpoints.metrics, nameFromParams),
  }, async (req) => {
    const { model } = await endpoints.resolve(req.params.name);
    if (model.kind !== 'text-classifier') throw new AppError('CONFLICT', `Endpoint "${req.params.name}" serves a ${model.kind} model; /classify is for text classifiers.`);
    const texts = req.body.Text !== undefined ? [req.body.Text] : req.body.TextList!;
    if (texts.length === 0 || texts.length > CLASSIFY_MAX_BATCH) {
      throw new AppError('VALIDATION_FAILED', `TextList has ${texts.length} documents; send 1 to ${CLASSIFY_MAX_BATCH}.`, { problems: [{ field: 'TextList', problem: `${texts.length} documents`, fix: `Send at most ${CLASSIFY_MAX_BATCH} documents per call, or use a batch job for more.` }] });
    }
    const problems = texts.flatMap((t, i) => {
      const bytes = Buffer.byteLength(t, 'utf8');
      if (t.trim() === '') return [{ row: i, field: req.body.Text !== undefined ? 'Text' : `TextList[${i}]`, problem: 'the text is empty', fix: 'Send non-empty text.' }];
      if (bytes > CLASSIFY_MAX_TEXT_BYTES) return [{ row: i, field: req.body.Text !== undefined ? 'Text' : `TextList[${i}]`, problem: `the text is ${bytes} bytes, over the ${CLASSIFY_MAX_TEXT_BYTES}-byte real-time limit`, fix: 'Shorten the text or classify it with a batch job.' }];
      return [];
    });
    if (req.body.Text !== undefined && problems.length > 0) throw new AppError('VALIDATION_FAILED', problems[0]!.problem, { problems });
    const bad = new Set(problems.map((p) => p.row));
    const results = await ctx.services.text.classify(model, texts.filter((_, i) => !bad.has(i)));
    if (req.body.Text !== undefined) return results[0];
    let k = 0;
    return {
      ResultList: texts.flatMap((_, i) => (bad.has(i) ? [] : [{ Index: i, ...results[k++] }])),
      ErrorList: problems.map((p) => ({ Index: p.row, ErrorCode: 'TEXT_INVALID', ErrorMessage: `${p.problem}. ${p.fix}` })),
    };
  });
}
