/** Test helpers for the pipelines domain: definitions built on the example, and a run follower. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseDefinitionText } from './service.ts';
import type { PipelineDefinitionInput, PipelineRun } from './schema.ts';

export const EXAMPLE_FILE = join(import.meta.dirname, '../../../examples/pipelines/retrain-text-classifier.yaml');
export const exampleDefinition = (): PipelineDefinitionInput => parseDefinitionText(readFileSync(EXAMPLE_FILE, 'utf8')) as PipelineDefinitionInput;

/** Polls GET /pipelines/runs/{id} until `done(run)`. */
export async function waitForRun(app: FastifyInstance, id: string, done: (r: PipelineRun) => boolean, timeoutMs = 60_000): Promise<PipelineRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await app.inject({ method: 'GET', url: `/api/v1/pipelines/runs/${id}` })).json<PipelineRun>();
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}: ${JSON.stringify(run.steps.map((s) => [s.name, s.status, s.error]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const finished = (r: PipelineRun) => ['succeeded', 'failed', 'cancelled'].includes(r.status);
export const settled = (r: PipelineRun) => finished(r) || r.status === 'waiting';
export const stepOf = (r: PipelineRun, name: string) => r.steps.find((s) => s.name === name)!;
