/**
 * The `edge.deploy` job: deploys a detector version to a fleet (deployments.ts: canary or whole fleet, health-checked
 * rollback) from a pipeline step, e.g. after an approval. It is idempotent: when the fleet's newest deployment of that
 * version is still canary or promoted, that deployment is the result and nothing new is made, so a re-queue after a
 * crash (or a retry) never deploys twice.
 */
import { z } from 'zod';
import { defineJob, modelRefSchema } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/types.ts';
import type { Deployment, EdgeModelsPort } from './deployments.ts';

export const deployPayloadSchema = z.object({
  model: z.string().min(1).max(200).describe('The detector version: id, NAME:VERSION, NAME@VERSION or NAME@alias'),
  fleet: z.string().min(1).max(200).describe('The fleet to deploy to'),
  canary: z.number().min(0).max(1).optional().describe("Share of the fleet's devices that get it first (default: the fleet's)"),
  by: z.string().min(1).max(200).optional().describe('Who deploys (kept on the deployment; default "pipeline")'),
});
export type EdgeDeployPayload = z.infer<typeof deployPayloadSchema>;

export interface EdgeDeployResult {
  model: { id: string; name: string; version: number };
  fleet: string;
  deployment: { id: string; state: string; canaryShare: number; canaryDevices: number; createdAt: string };
  reused: boolean;
}

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'edge.deploy': { payload: EdgeDeployPayload; result: EdgeDeployResult };
  }
}

export const deployResultSchema = z.object({
  model: modelRefSchema,
  fleet: z.string(),
  deployment: z.object({ id: z.string(), state: z.string(), canaryShare: z.number(), canaryDevices: z.number().int(), createdAt: z.string() }),
  reused: z.boolean().describe('true when this version was already deployed (canary or promoted) to the fleet'),
});

async function runDeploy(deps: EdgeJobDeps, ctx: JobContext<EdgeDeployPayload>): Promise<EdgeDeployResult> {
  const p = ctx.job.payload;
  await ctx.progress(0.05, `deploying ${p.model} to fleet ${p.fleet}`);
  const model = await deps.models.resolve(p.model);
  // Idempotency: when the fleet's newest deployment is this version and still stands, an earlier attempt made it.
  const newest = (await deps.edge.deployments(p.fleet))[0];
  const reused = newest?.modelId === model.id && (newest.state === 'canary' || newest.state === 'promoted');
  const deployment = reused ? newest : await deps.edge.deploy(p.fleet, model.id, { canary: p.canary, by: p.by ?? 'pipeline' });
  await ctx.progress(1, `${deployment.model} is ${deployment.state} on fleet ${p.fleet}`);
  return {
    model: { id: model.id, name: model.name, version: model.version }, fleet: p.fleet, reused,
    deployment: { id: deployment.id, state: deployment.state, canaryShare: deployment.canaryShare, canaryDevices: deployment.canaryDevices.length, createdAt: deployment.createdAt },
  };
}

export interface EdgeJobDeps {
  /** The edge service's deploy and list (declared here, so this file does not import service.ts). */
  edge: {
    deploy(fleet: string, modelRef: string, options: { canary?: number; by: string }): Promise<Deployment>;
    deployments(fleet: string): Promise<Deployment[]>;
  };
  models: EdgeModelsPort;
}

export function edgeJobs(deps: EdgeJobDeps) {
  return [defineJob({ type: 'edge.deploy', payload: deployPayloadSchema, result: deployResultSchema, idempotent: true, run: (ctx) => runDeploy(deps, ctx) })];
}
