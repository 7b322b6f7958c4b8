/**
 * /api/v1/labeling: labeling and verification jobs, their tasks (image, save, history), progress, export and the
 * feedback inbox. Thin: validate, call the labeling service with the caller's token name (who labels / verifies).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../core/http/contentDisposition.ts';
import { principalOf } from '../../core/http/principal.ts';
import { createJobSchema, createVerificationSchema, EXPORT_FORMATS, saveTaskSchema } from './schema.ts';
import type { LabelingService } from './service.ts';

/** What the labeling routes use. */
export interface LabelingRouteDeps {
  labeling: LabelingService;
}

const tags = { tags: ['labeling'] };
const jobParams = z.object({ id: z.string().min(1).max(100) });
const taskParams = jobParams.extend({ n: z.coerce.number().int().min(0).max(1_000_000) });

export async function labelingRoutes(app: FastifyInstance, deps: LabelingRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { labeling } = deps;

  r.get('/labeling/me', { schema: { ...tags, summary: 'Who the caller is (its API token name): the labeler / verifier recorded for its saves' } }, async (req) => ({ principal: principalOf(req) }));

  r.get('/labeling/jobs', { schema: { ...tags, summary: 'Labeling and verification jobs with their progress, newest first', querystring: z.object({ dataset: z.string().max(200).optional() }) } }, async (req) => ({
    items: await labeling.listJobs(req.query.dataset),
  }));

  r.post('/labeling/jobs', { schema: { ...tags, summary: 'Make a labeling job over the unlabeled images or the feedback inbox (at most `limit`, default 200), dealt to the labelers', body: createJobSchema } }, async (req, reply) =>
    reply.status(201).send(await labeling.createJob(req.body, principalOf(req))),
  );

  r.get('/labeling/jobs/:id', { schema: { ...tags, summary: 'A job with its progress (done / total per person and outcome)', params: jobParams } }, async (req) => labeling.getJob(req.params.id));

  r.post('/labeling/jobs/:id/verification', { schema: { ...tags, summary: "Make a verification job over a labeling job's saved images; each goes to a verifier other than its labeler", params: jobParams, body: createVerificationSchema } }, async (req, reply) =>
    reply.status(201).send(await labeling.createVerification(req.params.id, req.body, principalOf(req))),
  );

  r.get('/labeling/jobs/:id/tasks', {
    schema: { ...tags, summary: "A job's tasks in order (pre-labels / boxes to verify, saved boxes, who, when)", params: jobParams, querystring: z.object({ assignee: z.string().max(64).optional(), status: z.enum(['todo', 'done']).optional() }) },
  }, async (req) => ({ items: await labeling.tasks(req.params.id, req.query) }));

  r.get('/labeling/jobs/:id/tasks/:n', { schema: { ...tags, summary: 'One task', params: taskParams } }, async (req) => labeling.task(req.params.id, req.params.n));

  r.put('/labeling/jobs/:id/tasks/:n', {
    schema: { ...tags, summary: 'Save an image: boxes (labeling, → PENDING) or a decision approve / reject / adjust (verification, → APPROVED / REJECTED) as a feature-store record', params: taskParams, body: saveTaskSchema },
  }, async (req) => labeling.saveTask(req.params.id, req.params.n, req.body, principalOf(req)));

  r.get('/labeling/jobs/:id/tasks/:n/image', { schema: { ...tags, summary: "The task's image bytes", params: taskParams } }, async (req, reply) => {
    const img = await labeling.image(req.params.id, req.params.n);
    return reply.type(img.contentType).header('cache-control', 'private, max-age=300').send(img.bytes);
  });

  r.get('/labeling/jobs/:id/tasks/:n/history', { schema: { ...tags, summary: "The image's label records in the feature store (status, labeler, verifier, event time), oldest first", params: taskParams } }, async (req) =>
    labeling.history(req.params.id, req.params.n),
  );

  r.get('/labeling/jobs/:id/export', {
    schema: { ...tags, summary: "A job's results as Ground Truth (manifest JSON Lines), YOLO (zip: txt per image + dataset.yaml) or COCO JSON", params: jobParams, querystring: z.object({ format: z.enum(EXPORT_FORMATS).default('groundtruth') }) },
  }, async (req, reply) => {
    const out = await labeling.exportJob(req.params.id, req.query.format);
    return reply.type(out.contentType).header('content-disposition', contentDisposition(out.fileName)).send(out.body);
  });

  r.get('/labeling/inbox', {
    schema: { ...tags, summary: 'The feedback inbox (images added by the edge), oldest first; open=true: not yet in a labeling job', querystring: z.object({ dataset: z.string().max(200).optional(), open: z.enum(['true', 'false']).optional() }) },
  }, async (req) => ({ items: await labeling.inbox.list({ ...(req.query.dataset ? { dataset: req.query.dataset } : {}), open: req.query.open === 'true' }) }));
}
