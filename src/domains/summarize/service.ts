/**
 * Long-document summarization (C6): the `summarize.run` job over a document or JSON Lines of documents, with the
 * extractive engine (no model; the default) or an LLM endpoint (map-reduce or refine, sized from its context).
 * Inputs are stored as artifacts so job payloads stay small; the result (with every intermediate summary) is
 * kept in the job and as `summaries/<job>/result.json` + `summary.md`.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Job } from '../../jobs/types.ts';
import { computeBudget, DEFAULT_CHUNK_CAP } from './budget.ts';
import type { SummarizeDeps } from './deps.ts';
import { SUMMARIZE_JOB, summarizeJob } from './jobs.ts';
import { DEFAULT_PROMPTS, checkPrompts } from './prompts.ts';
import { summarizeRequestSchema, type SummarizeOptions, type SummarizePayload, type SummarizeResult } from './schema.ts';
import { DEFAULT_WEIGHTS } from '../../ml/summarize/extractive.ts';
import { parseWith } from '../../core/validate.ts';

export type { SummarizeDeps };
export { SUMMARIZE_JOB };

const NUMERIC_FIELDS = new Set(['chunkSize', 'chunkOverlap', 'tokenMax', 'maxNewTokens', 'temperature', 'seed', 'maxWords', 'ratio', 'datasetVersion']);

/** Multipart form fields → the JSON body's shape: numbers, and the engine as "extractive" or {endpoint}. */
export function formFieldsToBody(fields: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === '') continue;
    if (k === 'engine') body.engine = v === 'extractive' ? v : { endpoint: v.replace(/^endpoint:/, '') };
    else if (k === 'endpoint') body.engine = { endpoint: v };
    else body[k] = NUMERIC_FIELDS.has(k) ? Number(v) : v;
  }
  return body;
}

const safeName = (name: string) => name.replace(/[^\w.-]+/g, '_').slice(-100) || 'input.txt';

export function createSummarizeService(deps: SummarizeDeps) {
  deps.queue.register(summarizeJob(deps));

  /** Checks what can be checked before queueing: prompts, and that the endpoint exists and is an LLM. */
  async function precheck(opts: SummarizeOptions): Promise<void> {
    if (opts.engine === 'extractive') return;
    const prompts = { map: opts.mapPrompt ?? DEFAULT_PROMPTS.map, combine: opts.combinePrompt ?? DEFAULT_PROMPTS.combine, refine: opts.refinePrompt ?? DEFAULT_PROMPTS.refine };
    checkPrompts(prompts, opts.mode);
    if (!deps.llm) throw new AppError('ENDPOINT_NOT_FOUND', 'LLM endpoints are not available in this server; use engine "extractive".');
    const handle = await deps.llm.handle(opts.engine.endpoint);
    await computeBudget(handle, prompts, opts);
  }

  async function enqueue(opts: SummarizeOptions, inputKey: string, fileName: string): Promise<{ job: Job }> {
    const payload: SummarizePayload = { ...opts, inputKey, fileName };
    return { job: await deps.queue.enqueue(SUMMARIZE_JOB, payload) };
  }

  return {
    /** JSON request: pasted `text` or an uploaded `dataset`. */
    async start(input: unknown): Promise<{ job: Job }> {
      const req = parseWith(summarizeRequestSchema, input);
      const { text, dataset, datasetVersion, name, ...opts } = req;
      if ((text === undefined) === (dataset === undefined)) {
        throw new AppError('VALIDATION_FAILED', 'Send exactly one of "text" and "dataset" (or upload a file as multipart/form-data).', {
          problems: [{ field: text === undefined ? 'text' : 'dataset', problem: text === undefined ? 'neither text nor dataset given' : 'both text and dataset given', fix: 'Paste the document as "text", or name an uploaded dataset in "dataset".' }],
        });
      }
      await precheck(opts);
      const id = newId('sum');
      if (text !== undefined) {
        if (!text.trim()) throw new AppError('FILE_EMPTY', 'The text is empty.', { problems: [{ field: 'text', problem: 'only white space', fix: 'Paste a document.' }] });
        const fileName = `${safeName(name ?? 'document')}${/\.(txt|md|markdown|jsonl|ndjson)$/i.test(name ?? '') ? '' : opts.format === 'markdown' ? '.md' : opts.format === 'jsonl' ? '.jsonl' : '.txt'}`;
        const key = `summaries/inputs/${id}/${fileName}`;
        await deps.artifacts.put(key, text);
        return enqueue(opts, key, fileName);
      }
      const file = await deps.datasets.openFile(dataset!, datasetVersion ?? 'latest');
      const key = `summaries/inputs/${id}/${safeName(file.fileName)}`;
      await deps.artifacts.put(key, file.stream);
      return enqueue(opts, key, file.fileName);
    },

    /**
     * Multipart upload: options as form fields (engine as "extractive" or "endpoint:NAME"), then the file. The
     * stream fails (PAYLOAD_TOO_LARGE…) when the upload breaks the form's rules; the store then keeps nothing.
     */
    async startUpload(fields: Record<string, string>, file: { fileName: string; stream: Readable }): Promise<{ job: Job }> {
      const body = formFieldsToBody(fields);
      const opts = parseWith(summarizeRequestSchema.omit({ text: true, dataset: true, datasetVersion: true, name: true }).strict(), body);
      await precheck(opts);
      const id = newId('sum');
      const key = `summaries/inputs/${id}/${safeName(file.fileName)}`;
      await deps.artifacts.put(key, file.stream);
      const info = await deps.artifacts.stat(key);
      if (!info || info.size === 0) {
        await deps.artifacts.delete(key);
        throw new AppError('FILE_EMPTY', 'The uploaded file is empty.', { problems: [{ field: 'file', problem: 'empty file', fix: 'Upload a .txt, .md or .jsonl file with text.' }] });
      }
      return enqueue(opts, key, file.fileName);
    },

    /** The job with its result, or the intermediate summaries kept when it failed or was cancelled. */
    async get(jobId: string): Promise<{ job: Job; result: SummarizeResult | null; partial: unknown }> {
      const job = await deps.queue.get(jobId);
      if (job.type !== SUMMARIZE_JOB) throw new AppError('JOB_NOT_FOUND', `Job ${jobId} is not a summarization job.`);
      let partial: unknown = null;
      if (job.status === 'failed' || job.status === 'cancelled') {
        const raw = await deps.artifacts.get(`summaries/${jobId}/partial.json`).catch(() => null);
        partial = raw ? JSON.parse(raw.toString('utf8')) : null;
      }
      return { job, result: job.status === 'succeeded' ? await deps.queue.result(jobId, SUMMARIZE_JOB) : null, partial };
    },

    async file(jobId: string, file: 'summary.md' | 'result.json' | 'partial.json'): Promise<Buffer> {
      const job = await deps.queue.get(jobId);
      if (job.type !== SUMMARIZE_JOB) throw new AppError('JOB_NOT_FOUND', `Job ${jobId} is not a summarization job.`);
      if (file !== 'partial.json' && job.status !== 'succeeded') throw new AppError('CONFLICT', `Summarization job ${jobId} is ${job.status}; its ${file} exists once it has succeeded.`);
      return deps.artifacts.get(`summaries/${jobId}/${file}`);
    },

    /** The defaults a client shows: prompts, extractive settings, and for an endpoint the budget from its context. */
    async defaults(query: { endpoint?: string; mode: 'map-reduce' | 'refine'; maxNewTokens?: number }) {
      const base = {
        engine: 'extractive' as const,
        mode: 'map-reduce' as const,
        prompts: DEFAULT_PROMPTS,
        extractive: { ratio: 0.1, minWords: 50, maxWords: 400, weights: DEFAULT_WEIGHTS },
        llm: { chunkCap: DEFAULT_CHUNK_CAP, overlapFraction: 0.05, temperature: 0 },
        llmAvailable: deps.llm !== undefined,
      };
      if (!query.endpoint) return { ...base, budget: null };
      if (!deps.llm) throw new AppError('ENDPOINT_NOT_FOUND', 'LLM endpoints are not available in this server.');
      const handle = await deps.llm.handle(query.endpoint);
      return { ...base, budget: await computeBudget(handle, DEFAULT_PROMPTS, { mode: query.mode, maxNewTokens: query.maxNewTokens }) };
    },
  };
}

export type SummarizeService = ReturnType<typeof createSummarizeService>;
