/**
 * /api/v1/finetune: uploads (data, llama2.c checkpoints), runs (create → 202 with the run and its job; list; show
 * with summary and checkpoints; metrics series; logs; cancel; resume) and export (checkpoint → GGUF → LLM catalog →
 * optional endpoint). Thin: each route validates and calls one service function.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consumeUpload, readMultipart } from '../../core/http/multipart.ts';
import { SERIES_NAMES } from './metrics.ts';
import type { FinetuneService } from './service.ts';

export interface FinetuneRouteDeps {
  finetune: Pick<FinetuneService, 'upload' | 'create' | 'list' | 'get' | 'series' | 'logs' | 'cancel' | 'resume' | 'export' | 'wait'>;
  maxUploadBytes: number;
}

const runParam = z.object({ run: z.string().min(1).max(100) });
const tags = ['finetune'];

export async function finetuneRoutes(app: FastifyInstance, deps: FinetuneRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { finetune } = deps;

  r.post('/finetune/uploads', { schema: { tags, summary: 'Upload a data file (JSONL / text) or a llama2.c checkpoint or tokenizer; returns its id (ftu_…)' } }, async (req, reply) => {
    const { file } = await readMultipart(req, { maxBytes: deps.maxUploadBytes, fields: [], defaultFileName: 'data.jsonl', missingFileFix: 'Send the file in a part named "file" (curl -F file=@train.jsonl).' });
    return reply.status(201).send(await consumeUpload(file, (u) => finetune.upload(u.fileName, u.stream)));
  });

  r.post('/finetune/runs', {
    schema: { tags, summary: 'Start a fine-tuning run (202): everything is validated first (base model, data rows, parallel sizes, allocation, partition)', body: z.record(z.string(), z.unknown()), querystring: z.object({ wait: z.coerce.boolean().optional() }) },
  }, async (req, reply) => {
    const run = await finetune.create(req.body);
    return reply.status(202).send(req.query.wait ? await finetune.wait(run.id) : run);
  });
  r.get('/finetune/runs', { schema: { tags, summary: 'Fine-tuning runs, newest first', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(200).optional() }) } }, async (req) => finetune.list(req.query));
  r.get('/finetune/runs/:run', { schema: { tags, summary: 'A run: status, model shape, summary (losses, throughput), checkpoints', params: runParam } }, async (req) => finetune.get(req.params.run));
  r.get('/finetune/runs/:run/metrics', {
    schema: { tags, summary: 'Metric series against the step (loss, eval_loss, lr, tokens_per_s, seqs_per_s, grad_norm)', params: runParam, querystring: z.object({ names: z.string().max(200).optional().describe('comma-separated') }) },
  }, async (req) => {
    const names = req.query.names ? z.array(z.enum(SERIES_NAMES)).parse(req.query.names.split(',')) : SERIES_NAMES;
    return finetune.series(req.params.run, names);
  });
  r.get('/finetune/runs/:run/logs', { schema: { tags, params: runParam, querystring: z.object({ after: z.coerce.number().int().min(0).optional() }) } }, async (req) => ({ items: await finetune.logs(req.params.run, req.query.after) }));
  r.post('/finetune/runs/:run/cancel', { schema: { tags, summary: 'Cancel the run: every worker is stopped', params: runParam } }, async (req) => finetune.cancel(req.params.run));
  r.post('/finetune/runs/:run/resume', { schema: { tags, summary: 'Resume from the last checkpoint (a new job on the same run)', params: runParam } }, async (req, reply) => reply.status(202).send(await finetune.resume(req.params.run)));
  r.post('/finetune/runs/:run/export', {
    schema: {
      tags, summary: 'Export a checkpoint (default: the latest) to GGUF, register it in the LLM catalog and optionally deploy it', params: runParam,
      body: z.strictObject({ step: z.number().int().min(0).optional(), name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/).optional(), deploy: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/).optional() }).default({}),
    },
  }, async (req, reply) => reply.status(201).send(await finetune.export(req.params.run, req.body)));
}
