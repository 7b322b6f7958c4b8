/**
 * The model kind `llm`'s runtime (its model-kind table entry is kind.ts): endpoint configs (threads, context size, queue
 * bound, licence acceptance, chat/FIM template), loading and unloading. A model file is loaded once per process
 * and shared by every endpoint on it (reference-counted); each endpoint has its own context and queue, created
 * once (memoised) and disposed when the endpoint is deleted or redeployed. After a restart endpoints load lazily
 * on their first request.
 */
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { createLlamaContext, defaultThreads, loadLlamaModel, type LlamaModel } from '../../runtimes/llama.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { EndpointRef, ModelKindRuntime } from '../models/kinds.ts';
import type { ModelVersion } from '../models/service.ts';
import { CHAT_TEMPLATE_NAMES } from './chat.ts';
import { eulaRequired } from './eula.ts';
import { FIM_TEMPLATE_NAMES } from './fim.ts';
import type { GgufSummary } from './gguf.ts';
import { LlmInstance, type LlmEndpointConfig } from './instance.ts';

export const LLM_MODEL_KIND = 'llm';
export const DEFAULT_MAX_QUEUE = 16;
export const DEFAULT_MAX_CONTEXT = 4096;

export const llmEndpointConfigSchema = z
  .object({
    threads: z.number().int().min(1).max(256).optional().describe('CPU threads (default: 1 on ≤ 2 cores, else half the cores up to 8)'),
    contextSize: z.number().int().min(32).optional().describe("context window in tokens (default: the model's, at most 4096)"),
    maxQueue: z.number().int().min(0).max(10_000).optional().describe('requests that may wait while one runs; one more gets 429 (default 16)'),
    acceptEula: z.boolean().optional().describe("accept the model's licence (needed for Llama-family licences)"),
    chatTemplate: z.enum(CHAT_TEMPLATE_NAMES).optional().describe("chat format: auto (the GGUF's template) or a node-llama-cpp wrapper name, e.g. llama2Chat, chatML"),
    fimTemplate: z.enum(FIM_TEMPLATE_NAMES as [string, ...string[]]).optional().describe('force a fill-in-the-middle template'),
  })
  .strict();

export interface LlmModelMeta {
  gguf: GgufSummary;
  license: string | null;
  requiresEula: boolean;
  source: { type: 'path'; path: string; sizeBytes: number; mtimeMs: number } | { type: 'artifact'; key: string; sizeBytes: number; sha256: string };
}

export function llmMeta(model: ModelVersion): LlmModelMeta {
  return model.meta as unknown as LlmModelMeta;
}

function parseConfig(model: ModelVersion, config: Record<string, unknown>): LlmEndpointConfig {
  const r = llmEndpointConfigSchema.safeParse(config);
  if (!r.success) {
    const problems = r.error.issues.map((i) => ({ field: `config.${i.path.map(String).join('.')}`, problem: i.message, fix: 'LLM endpoint config takes threads, contextSize, maxQueue, acceptEula, chatTemplate, fimTemplate.' }));
    throw new AppError('VALIDATION_FAILED', `Invalid LLM endpoint config: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
  }
  const meta = llmMeta(model);
  const trained = meta.gguf.contextLength ?? DEFAULT_MAX_CONTEXT;
  const c = r.data;
  if (c.contextSize !== undefined && c.contextSize > trained) {
    throw new AppError('VALIDATION_FAILED', `contextSize ${c.contextSize} is larger than the ${trained} tokens model ${model.name}:${model.version} was trained with.`, {
      problems: [{ field: 'config.contextSize', problem: `over the model's ${trained}-token context`, fix: `Use at most ${trained}.` }],
    });
  }
  return {
    threads: c.threads ?? 0,
    contextSize: c.contextSize ?? Math.min(trained, DEFAULT_MAX_CONTEXT),
    maxQueue: c.maxQueue ?? DEFAULT_MAX_QUEUE,
    acceptEula: c.acceptEula ?? false,
    chatTemplate: c.chatTemplate ?? 'auto',
    ...(c.fimTemplate ? { fimTemplate: c.fimTemplate } : {}),
  };
}

/** The stored form: defaults filled in, `threads` kept only when given (0 = this machine's default at load). */
function storedConfig(c: LlmEndpointConfig): Record<string, unknown> {
  const { threads, ...rest } = c;
  return threads > 0 ? { threads, ...rest } : rest;
}

export function createLlmRuntime(deps: { artifacts: ArtifactStore; logger: Logger }) {
  const models = new Map<string, { promise: Promise<LlamaModel>; refs: number }>();
  const instances = new Map<string, { promise: Promise<LlmInstance>; modelId: string }>();

  async function modelPath(model: ModelVersion): Promise<string> {
    const source = llmMeta(model).source;
    if (source.type === 'artifact') return deps.artifacts.localPath(source.key);
    if (!existsSync(source.path) || !statSync(source.path).isFile()) {
      throw new AppError('LLM_MODEL_FILE_MISSING', `The GGUF file of model ${model.name}:${model.version} is gone: ${source.path}.`, {
        problems: [{ field: 'path', problem: 'file not found', fix: 'Put the file back at that path, or register it again (POST /api/v1/llm/models).' }],
      });
    }
    return source.path;
  }

  function acquireModel(model: ModelVersion): Promise<LlamaModel> {
    let entry = models.get(model.id);
    if (!entry) {
      const promise = modelPath(model).then((p) => loadLlamaModel(p));
      entry = { promise, refs: 0 };
      models.set(model.id, entry);
      promise.catch(() => {
        if (models.get(model.id)?.promise === promise) models.delete(model.id);
      });
    }
    entry.refs++;
    return entry.promise;
  }

  async function releaseModel(modelId: string): Promise<void> {
    const entry = models.get(modelId);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    models.delete(modelId);
    const m = await entry.promise.catch(() => null);
    await m?.dispose();
  }

  const keyOf = (endpointId: string, modelId: string) => `${endpointId}:${modelId}`;

  /** The loaded endpoint (loads it on first use). */
  function instance(model: ModelVersion, endpoint: EndpointRef): Promise<LlmInstance> {
    const key = keyOf(endpoint.id, model.id);
    const existing = instances.get(key);
    if (existing) return existing.promise;
    const config = parseConfig(model, endpoint.config);
    const promise = (async () => {
      const loaded = await acquireModel(model);
      try {
        const threads = config.threads > 0 ? config.threads : defaultThreads();
        const context = await createLlamaContext(loaded, { threads, contextSize: config.contextSize });
        deps.logger.info({ endpoint: endpoint.name, model: `${model.name}:${model.version}`, contextSize: context.contextSize, threads }, 'LLM endpoint loaded');
        return new LlmInstance(endpoint.name, model, loaded, context, { ...config, threads }, llmMeta(model).gguf);
      } catch (err) {
        await releaseModel(model.id);
        throw err;
      }
    })();
    instances.set(key, { promise, modelId: model.id });
    promise.catch(() => {
      if (instances.get(key)?.promise === promise) instances.delete(key);
    });
    return promise;
  }

  async function unload(key: string): Promise<void> {
    const entry = instances.get(key);
    if (!entry) return;
    instances.delete(key);
    const inst = await entry.promise.catch(() => null);
    if (!inst) return;
    await inst.dispose();
    await releaseModel(entry.modelId);
  }

  const runtime: ModelKindRuntime = {
    async prepareConfig(model, config) {
      const c = parseConfig(model, config);
      const meta = llmMeta(model);
      if (meta.requiresEula && !c.acceptEula) throw eulaRequired(`${model.name}:${model.version}`, meta.license, 'deploy');
      return storedConfig(c);
    },
    async warm(model, endpoint) {
      if (!endpoint) throw new AppError('INTERNAL', 'LLM endpoints are loaded per endpoint.');
      await instance(model, endpoint);
    },
    async evict(model, endpoint) {
      const keys = endpoint ? [keyOf(endpoint.id, model.id)] : [...instances].filter(([, e]) => e.modelId === model.id).map(([k]) => k);
      for (const k of keys) await unload(k);
    },
  };

  return {
    runtime,
    instance,
    loaded: () => instances.size,
    async close(): Promise<void> {
      for (const k of [...instances.keys()]) await unload(k);
    },
  };
}

export type LlmRuntime = ReturnType<typeof createLlmRuntime>;
