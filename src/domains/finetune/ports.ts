/**
 * Builds the fine-tuning domain's ports from the services that implement them: the base GGUF from the LLM catalog
 * (its file on this machine: the registered path, or the artifact's local copy), a dataset version's file, and
 * register-in-catalog + deploy (the deploy function is the app's create-or-re-point, shared with pipelines).
 */
import { AppError } from '../../core/errors.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { DatasetService } from '../datasets/index.ts';
import type { LlmService } from '../llm/index.ts';
import type { ModelService } from '../models/index.ts';
import type { FinetuneCatalog } from './export.ts';
import type { FinetuneSources } from './prepare.ts';

interface CatalogMeta {
  gguf?: { architecture?: string };
  license?: string | null;
  source?: { type: 'path'; path: string } | { type: 'artifact'; key: string };
}

export function finetuneSources(deps: { models: ModelService; artifacts: ArtifactStore; datasets: DatasetService }): FinetuneSources {
  return {
    async baseModel(ref) {
      const m = await deps.models.resolve(ref);
      const meta = m.meta as CatalogMeta;
      if (m.kind !== 'llm' || !meta.source) {
        throw new AppError('VALIDATION_FAILED', `Model ${m.name}:${m.version} is a ${m.kind} model, not a GGUF of the LLM catalog.`, { problems: [{ field: 'base', problem: `kind ${m.kind}`, fix: 'Register the base GGUF with `sagebrush llm register FILE` and name it here.' }] });
      }
      const path = meta.source.type === 'path' ? meta.source.path : await deps.artifacts.localPath(meta.source.key);
      return { path, architecture: meta.gguf?.architecture ?? 'unknown', name: m.name, version: m.version, license: meta.license ?? null };
    },
    async datasetFile(dataset, version) {
      const f = await deps.datasets.openFile(dataset, version ?? 'latest');
      return { stream: f.stream, fileName: f.fileName };
    },
  };
}

export function finetuneCatalog(llm: Pick<LlmService, 'registerPath'>, deploy: (endpoint: string, modelId: string) => Promise<'created' | 'updated'>): FinetuneCatalog {
  return {
    async register(input) {
      // copy: the catalog keeps its own copy in the artifact store, so deleting the run directory keeps the model.
      const m = await llm.registerPath({ path: input.path, name: input.name, copy: true, description: input.description, ...(input.license ? { license: input.license } : {}) });
      return { id: m.id, name: m.name, version: m.version };
    },
    deploy,
  };
}
