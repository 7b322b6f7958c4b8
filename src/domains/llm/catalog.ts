/**
 * The LLM model catalog: GGUF files registered as model versions of kind `llm` in the model registry.
 *
 * Storage: an uploaded file is stored in the artifact store (`models/{id}/model.gguf`, sha256 recorded). A
 * file registered by `path` is referenced where it lies (multi-GB files are not copied; size and mtime are
 * recorded and checked at load, and deleting the model never deletes the file); `copy: true` stores a copy
 * in the artifact store instead. Metadata comes from the GGUF header (no weights loaded).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { readGguf } from '../../runtimes/llama.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import { storeUpload } from '../datasets/upload.ts';
import { MODEL_NAME_PATTERN, type ModelService, type ModelVersion } from '../models/service.ts';
import { licenseRequiresEula } from './eula.ts';
import { summarizeGguf } from './gguf.ts';
import { LLM_MODEL_KIND, llmMeta, type LlmModelMeta } from './runtime.ts';

export interface RegisterOptions {
  name?: string;
  license?: string;
  requiresEula?: boolean;
  description?: string;
}

/** A model name from a file name: "codellama-7b.Q4_K_M.gguf" → "codellama-7b.Q4_K_M". */
export function nameFromFile(file: string): string {
  const stem = basename(file).replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (stem || 'model').slice(0, 63);
}

function invalidGguf(where: string, why: string): AppError {
  return new AppError('LLM_GGUF_INVALID', `${where} is not a readable GGUF model file: ${why}.`, {
    problems: [{ field: 'file', problem: why, fix: 'Register a llama.cpp GGUF file (convert other formats with llama.cpp\'s convert_hf_to_gguf.py).' }],
  });
}

export function createLlmCatalog(deps: { models: ModelService; artifacts: ArtifactStore; maxUploadBytes: number }) {
  const { models, artifacts } = deps;

  async function inspect(path: string, label: string) {
    try {
      return summarizeGguf(await readGguf(path), statSync(path).size);
    } catch (err) {
      throw invalidGguf(label, (err as Error).message);
    }
  }

  function checkName(name: string): void {
    if (!MODEL_NAME_PATTERN.test(name)) {
      throw new AppError('VALIDATION_FAILED', `Model name "${name}" is not allowed.`, { problems: [{ field: 'name', problem: 'invalid model name', fix: 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit (or pass --name).' }] });
    }
  }

  async function record(name: string, options: RegisterOptions, meta: Omit<LlmModelMeta, 'license' | 'requiresEula'>, artifactKey?: string, modelId?: string): Promise<ModelVersion> {
    const license = options.license?.trim() || meta.gguf.license;
    const requiresEula = options.requiresEula ?? licenseRequiresEula(license, meta.gguf.name ?? meta.gguf.basename ?? name);
    const full: LlmModelMeta = { ...meta, license: license ?? null, requiresEula };
    const created = modelId ? await models.getById(modelId) : await models.create({ name, kind: LLM_MODEL_KIND, params: { source: meta.source.type }, meta: { ...full, description: options.description ?? null } });
    return models.markReady(created.id, { metrics: {}, artifacts: artifactKey ? { 'model.gguf': artifactKey } : {}, meta: { ...full } });
  }

  return {
    /** Registers a GGUF on this machine's file system (referenced in place unless `copy`). */
    async registerPath(input: RegisterOptions & { path: string; copy?: boolean }): Promise<ModelVersion> {
      const path = isAbsolute(input.path) ? input.path : resolve(input.path);
      if (!existsSync(path) || !statSync(path).isFile()) {
        throw new AppError('VALIDATION_FAILED', `No file at ${path}.`, { problems: [{ field: 'path', problem: 'file not found on the server', fix: 'Give a path that exists on the machine running Sagebrush, or upload the file (multipart "file").' }] });
      }
      const name = input.name ?? nameFromFile(path);
      checkName(name);
      const gguf = await inspect(path, path);
      const st = statSync(path);
      if (!input.copy) return record(name, input, { gguf, source: { type: 'path', path, sizeBytes: st.size, mtimeMs: Math.round(st.mtimeMs) } });
      return this.registerStream({ ...input, name }, path, createReadStream(path));
    },

    /** Registers an uploaded GGUF: streamed into the artifact store, then inspected. */
    async registerStream(input: RegisterOptions, fileName: string, stream: Readable): Promise<ModelVersion> {
      const name = input.name ?? nameFromFile(fileName);
      checkName(name);
      const created = await models.create({ name, kind: LLM_MODEL_KIND, params: { source: 'artifact' }, meta: {} });
      const key = `models/${created.id}/model.gguf`;
      try {
        const { size, sha256 } = await storeUpload(artifacts, key, stream, deps.maxUploadBytes, 'application/octet-stream');
        const gguf = await inspect(await artifacts.localPath(key), fileName);
        return await record(name, input, { gguf: { ...gguf, sizeBytes: size }, source: { type: 'artifact', key, sizeBytes: size, sha256 } }, key, created.id);
      } catch (err) {
        // Nothing half-registered stays behind: the version and its bytes go.
        await models.delete(created.name, created.version).catch(() => undefined);
        throw err;
      }
    },

    /** Changes the licence / EULA flag of a registered version. */
    async updateLicense(name: string, version: number, input: { license?: string | null; requiresEula?: boolean }): Promise<ModelVersion> {
      const model = await models.get(name, version);
      if (model.kind !== LLM_MODEL_KIND) throw new AppError('CONFLICT', `Model ${name}:${version} is a ${model.kind}, not an LLM.`);
      const meta = llmMeta(model);
      const license = input.license === undefined ? meta.license : input.license;
      const requiresEula = input.requiresEula ?? (input.license !== undefined ? licenseRequiresEula(license, meta.gguf.name ?? name) : meta.requiresEula);
      return models.update(model.id, { meta: { license, requiresEula } });
    },

    async list(q: { limit?: number; cursor?: string }) {
      return models.list({ kind: LLM_MODEL_KIND, ...q });
    },
  };
}

export type LlmCatalog = ReturnType<typeof createLlmCatalog>;
