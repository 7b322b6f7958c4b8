/**
 * LLM endpoints (C4/C5): the GGUF catalog, the `llm` endpoint runtime, the payload formats (TGI/JumpStart
 * text generation, Llama-2 chat dialogs, infill) and the LlmProvider other domains use (summarization).
 */
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { ServedEndpoint } from '../models/kinds.ts';
import type { ModelService } from '../models/service.ts';
import { createLlmCatalog, type RegisterOptions } from './catalog.ts';
import { validateDialog } from './chat.ts';
import { eulaRequired } from './eula.ts';
import type { LlmInstance, RunOptions, RunResult } from './instance.ts';
import { fromTgi, type ChatMessage, type InfillBody, type InvocationBody, type TgiParameters } from './params.ts';
import { createLlmRuntime, LLM_MODEL_KIND, llmMeta } from './runtime.ts';
import type { LlmHandle, LlmProvider } from './types.ts';

export { LLM_MODEL_KIND };

export interface LlmDeps {
  models: ModelService;
  artifacts: ArtifactStore;
  logger: Logger;
  maxUploadBytes: number;
  /** Finds the endpoint a request names (the endpoints service): created before this service, it knows no kind. */
  endpoints: LlmEndpointResolver;
}

/** The one thing this domain asks of endpoints: the endpoint by name and the model version it serves. */
export interface LlmEndpointResolver {
  resolve(name: string): Promise<ServedEndpoint>;
}

export type TgiGenerated = { generated_text: string; details?: Record<string, unknown> };
export type LlamaGeneration = { generation: { role: 'assistant'; content: string } };

/** TGI's finish reasons. */
export function tgiFinishReason(r: RunResult['finishReason']): string {
  return r === 'length' ? 'length' : r === 'stop' ? 'eos_token' : 'abort';
}

function tgiDetails(r: RunResult, seed: number | undefined): Record<string, unknown> {
  return { finish_reason: tgiFinishReason(r.finishReason), generated_tokens: r.completionTokens, prompt_tokens: r.promptTokens, seed: seed ?? null, time_to_first_token: r.timeToFirstToken, tokens_per_second: r.tokensPerSecond };
}

type InputsKind = { kind: 'text'; texts: string[]; single: boolean } | { kind: 'chat'; dialogs: ChatMessage[][] };

export function classifyInputs(inputs: InvocationBody['inputs']): InputsKind {
  if (typeof inputs === 'string') return { kind: 'text', texts: [inputs], single: true };
  if (inputs.every((x) => typeof x === 'string')) return { kind: 'text', texts: inputs as string[], single: false };
  if (inputs.every((x) => Array.isArray(x))) return { kind: 'chat', dialogs: inputs as ChatMessage[][] };
  return { kind: 'chat', dialogs: [inputs as ChatMessage[]] };
}

export function createLlmService(deps: LlmDeps) {
  const runtime = createLlmRuntime({ artifacts: deps.artifacts, logger: deps.logger });
  const catalog = createLlmCatalog({ models: deps.models, artifacts: deps.artifacts, maxUploadBytes: deps.maxUploadBytes });

  /** The loaded endpoint, after the licence check (`accepted`: this request carries accept_eula=true). */
  async function endpoint(name: string, accepted = false): Promise<ServedEndpoint & { instance: LlmInstance }> {
    const { endpoint: ep, model } = await deps.endpoints.resolve(name);
    if (model.kind !== LLM_MODEL_KIND) throw new AppError('CONFLICT', `Endpoint "${name}" serves a ${model.kind} model, not an LLM; use its own route (e.g. /classify).`);
    const meta = llmMeta(model);
    if (meta.requiresEula && ep.config.acceptEula !== true && !accepted) throw eulaRequired(`${model.name}:${model.version}`, meta.license, 'invoke');
    return { endpoint: ep, model, instance: await runtime.instance(model, { id: ep.id, name: ep.name, config: ep.config }) };
  }

  /** TGI / JumpStart invocation (no streaming): one result per input text or dialog. */
  async function invoke(inst: LlmInstance, body: InvocationBody, options: RunOptions = {}): Promise<Array<TgiGenerated | LlamaGeneration>> {
    const inputs = classifyInputs(body.inputs);
    const p = body.parameters;
    const params = fromTgi(p);
    const out: Array<TgiGenerated | LlamaGeneration> = [];
    if (inputs.kind === 'chat') {
      inputs.dialogs.forEach((d, i) => validateDialog(d, `inputs[${i}]`));
      for (const dialog of inputs.dialogs) {
        const prompt = inst.chatPrompt(dialog);
        const r = await inst.run(prompt, params, { ...options, truncate: p?.truncate });
        out.push({ generation: { role: 'assistant', content: r.text.trimStart() } });
      }
      return out;
    }
    for (const text of inputs.texts) {
      const r = await inst.run({ tokens: inst.promptTokens(text) }, params, { ...options, truncate: p?.truncate });
      out.push({ generated_text: p?.return_full_text ? text + r.text : r.text, ...(p?.details ? { details: tgiDetails(r, p.seed) } : {}) });
    }
    return out;
  }

  const provider: LlmProvider = {
    async handle(endpointName: string): Promise<LlmHandle> {
      return (await endpoint(endpointName)).instance;
    },
  };

  return {
    ...provider,
    /** Endpoint loading for the model-kind table (kind.ts `llmKind`; runtime.ts). */
    runtime: runtime.runtime,
    catalog,
    endpoint,
    invoke,
    tgiDetails,
    /** Infill (C5): builds the model's FIM prompt and generates the middle. */
    async infill(inst: LlmInstance, body: InfillBody, options: RunOptions = {}) {
      const p = body.parameters as (TgiParameters & { template?: string }) | undefined;
      const { template, ...tgi } = p ?? {};
      const prompt = inst.infillPrompt(body.prefix, body.suffix, template);
      const r = await inst.run(prompt, fromTgi(tgi, 64), { ...options, truncate: tgi.truncate });
      return { prompt, result: r };
    },
    registerPath: (input: RegisterOptions & { path: string; copy?: boolean }) => catalog.registerPath(input),
    registerStream: (input: RegisterOptions, fileName: string, stream: Readable) => catalog.registerStream(input, fileName, stream),
    close: () => runtime.close(),
  };
}

export type LlmService = ReturnType<typeof createLlmService>;
