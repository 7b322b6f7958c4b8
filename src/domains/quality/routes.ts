/** HTTP routes of prediction-quality tuning and experiments (thin: validate, call the service, map the result). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  datasetEditsSchema, decisionUpdateSchema, learningCurveRequestSchema, noisyLabelsRequestSchema, sweepRequestSchema, tuneRequestSchema,
} from './schema.ts';
import { REPORT_CONTENT_TYPES, type TextQualityService } from './service.ts';

const tags = ['text quality'];
const versionParams = z.object({ name: z.string().min(1), version: z.coerce.number().int().positive() });

/** What the quality routes use. */
export interface TextQualityRouteDeps {
  textQuality: TextQualityService;
}

export async function textQualityRoutes(app: FastifyInstance, deps: TextQualityRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const q = deps.textQuality;

  r.post('/text/models/:name/versions/:version/tune', {
    schema: { tags, summary: 'Tune the decision rule on out-of-fold scores of the training part (202 + job text.tune)', params: versionParams, body: tuneRequestSchema.optional() },
  }, async (req, reply) => reply.status(202).send(await q.tune(req.params.name, req.params.version, req.body ?? {})));

  r.get('/text/models/:name/versions/:version/decision', {
    schema: { tags, summary: 'The decision rule: per-label thresholds (multi-label) or abstain level (multi-class)', params: versionParams },
  }, async (req) => q.getDecision(req.params.name, req.params.version));

  r.put('/text/models/:name/versions/:version/decision', {
    schema: { tags, summary: 'Edit the decision rule by hand (applies to endpoints and batch jobs at once)', params: versionParams, body: decisionUpdateSchema },
  }, async (req) => q.putDecision(req.params.name, req.params.version, req.body));

  r.delete('/text/models/:name/versions/:version/decision', {
    schema: { tags, summary: 'Reset the decision rule to the defaults (0.5 per label; always answer)', params: versionParams },
  }, async (req) => q.deleteDecision(req.params.name, req.params.version));

  r.get('/text/models/:name/versions/:version/tuning-report', {
    schema: { tags, summary: 'The before/after tuning report (JSON, self-contained HTML, or the PR-curve figure as SVG/PNG); 404 TUNING_REPORT_NOT_FOUND before the first tuning — a tuned version lists `tuning-report.json` among its artifacts, so clients (the web UI does) need not ask', params: versionParams, querystring: z.object({ format: z.enum(['json', 'html', 'svg', 'png']).default('json') }) },
  }, async (req, reply) => {
    const body = await q.tuningReport(req.params.name, req.params.version, req.query.format);
    return reply.type(REPORT_CONTENT_TYPES[req.query.format]).send(body);
  });

  r.post('/text/experiments/sweep', {
    schema: { tags, summary: "Oversampling sweep: one label's positives limited or augmented to each N (202 + job text.sweep)", body: sweepRequestSchema },
  }, async (req, reply) => reply.status(202).send(await q.sweep(req.body)));

  r.post('/text/experiments/learning-curve', {
    schema: { tags, summary: 'Learning curve: quality vs fraction of the training part (202 + job text.learning-curve)', body: learningCurveRequestSchema },
  }, async (req, reply) => reply.status(202).send(await q.learningCurve(req.body)));

  r.post('/text/experiments/noisy-labels', {
    schema: { tags, summary: 'Noisy-label finder: rows ranked by out-of-fold disagreement with their labels (202 + job text.noisy-labels)', body: noisyLabelsRequestSchema },
  }, async (req, reply) => reply.status(202).send(await q.noisyLabels(req.body)));

  r.get('/text/experiments/:jobId/chart', {
    schema: { tags, summary: 'The chart of a finished sweep or learning-curve job', params: z.object({ jobId: z.string().min(1) }), querystring: z.object({ format: z.enum(['svg', 'png']).default('svg') }) },
  }, async (req, reply) => reply.type(REPORT_CONTENT_TYPES[req.query.format]).send(await q.experimentChart(req.params.jobId, req.query.format)));

  r.post('/datasets/:idOrName/versions/:version/edits', {
    schema: {
      tags: ['datasets'],
      summary: 'Drop or relabel rows of a labeled text dataset version; uploads the result as the next version (202 + import job; the old version stays)',
      params: z.object({ idOrName: z.string().min(1), version: z.string().regex(/^(latest|[1-9][0-9]{0,8})$/) }),
      body: datasetEditsSchema,
    },
  }, async (req, reply) => {
    const version = req.params.version === 'latest' ? 'latest' : Number(req.params.version);
    return reply.status(202).send(await q.editDataset(req.params.idOrName, version, req.body));
  });
}
