/**
 * Wires the pipelines domain's ports to the services that implement them: model-registry governance (approval
 * status, aliases) and the scripts folder. Endpoints need no adapter: the endpoints service's `deploy` is the port.
 * Kept out of services.ts so that file only lists services.
 */
import { resolve } from 'node:path';
import type { Config } from '../core/config.ts';
import type { ModelService } from '../domains/models/index.ts';
import type { PipelineRegistryPort } from '../domains/pipelines/index.ts';

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

export const pipelineScriptsDir = (config: Config) => resolve(config.pipelineScriptsDir ?? resolve(config.dataDir, 'pipeline-scripts'));
