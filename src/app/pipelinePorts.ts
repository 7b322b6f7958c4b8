/**
 * Wires the pipelines domain's ports to the services that implement them: model-registry governance (approval
 * status, aliases), endpoints (create or re-point) and datasets (newest version). Kept out of services.ts so that
 * file only lists services.
 */
import { resolve } from 'node:path';
import { AppError } from '../core/errors.ts';
import type { Config } from '../core/config.ts';
import type { EndpointService } from '../domains/endpoints/index.ts';
import type { ModelService } from '../domains/models/index.ts';
import type { PipelineEndpointsPort, PipelineRegistryPort } from '../domains/pipelines/index.ts';

/** The part of the model registry (domains/models registry.ts) pipeline steps use. */
export interface RegistryForPipelines {
  approval(ref: string): Promise<{ approval: { status: string } }>;
  setApproval(ref: string, input: { status: string; reason?: string }, by: string): Promise<unknown>;
  setAlias(modelName: string, alias: string, version: number, by: string): Promise<unknown>;
}

export function pipelineRegistryPort(models: ModelService, registry: RegistryForPipelines): PipelineRegistryPort {
  return {
    async resolve(ref) {
      const m = await models.resolve(ref);
      return { id: m.id, name: m.name, version: m.version, datasetVersionId: m.datasetVersionId };
    },
    approval: async (modelId) => (await registry.approval(modelId)).approval.status as Awaited<ReturnType<PipelineRegistryPort['approval']>>,
    async setApproval(modelId, status, by) {
      await registry.setApproval(modelId, { status, reason: status === 'Rejected' ? `set by ${by}` : undefined }, by);
    },
    async setAlias(modelId, alias, by) {
      const m = await models.getById(modelId);
      await registry.setAlias(m.name, alias, m.version, by);
    },
  };
}

export function pipelineEndpointsPort(endpoints: EndpointService): PipelineEndpointsPort {
  return {
    async deploy(name, modelId) {
      const exists = await endpoints.get(name).then(() => true, (err: unknown) => {
        if (err instanceof AppError && err.code === 'ENDPOINT_NOT_FOUND') return false;
        throw err;
      });
      if (exists) await endpoints.update(name, { model: modelId });
      else await endpoints.create({ name, model: modelId });
      return exists ? 'updated' : 'created';
    },
  };
}

export const pipelineScriptsDir = (config: Config) => resolve(config.pipelineScriptsDir ?? resolve(config.dataDir, 'pipeline-scripts'));
