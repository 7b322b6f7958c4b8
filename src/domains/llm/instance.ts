/**
 * One deployed LLM endpoint in memory: a llama.cpp context on a shared model, its bounded request queue,
 * chat format and FIM template. Every generation path (TGI, Llama-2 chat, OpenAI, infill, the LlmHandle for
 * summarization) goes through `run`, which checks the context budget, waits for a slot and streams tokens.
 */
import type { ChatWrapper, LlamaCompletion, LlamaContext, LlamaModel, LlamaText, Token } from 'node-llama-cpp';
import { AppError } from '../../core/errors.ts';
import { beginningToken, llamaCpp, tokenizeContinuation, tokenizePlain, tokenizePrompt } from '../../runtimes/llama.ts';
import type { ModelVersion } from '../models/service.ts';
import { fitBudget } from './budget.ts';
import { chatWrapperFor, renderChat, type ChatTemplateName } from './chat.ts';
import { buildFimTokens, detectFimTemplate, forceFimTemplate, vocabLookup, type ResolvedFim } from './fim.ts';
import type { GgufSummary } from './gguf.ts';
import { samplerOptions } from './params.ts';
import { RequestQueue } from './queue.ts';
import type { GenerationParams, GenerationResult, LlmHandle } from './types.ts';

export interface LlmEndpointConfig {
  threads: number;
  contextSize: number;
  maxQueue: number;
  acceptEula: boolean;
  chatTemplate: ChatTemplateName;
  fimTemplate?: string;
}

export interface PromptInput {
  /** The full prompt as the model sees it (BOS included when the model adds one). */
  tokens: Token[];
  /** Extra stop triggers (chat formats' end-of-turn text, FIM end tokens). */
  stop?: Array<string | LlamaText>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Text pieces as they come, with the token ids that produced them. */
  onToken?: (text: string, tokens: number[]) => void;
  truncate?: boolean | number;
  /** false: wait even when the queue is full (internal callers); default true (HTTP callers get 429). */
  bounded?: boolean;
  /** Parameter name used in overflow messages (max_new_tokens, max_tokens). */
  maxLabel?: string;
}

export interface RunResult extends GenerationResult {
  truncatedTokens: number;
  queueSeconds: number;
  seconds: number;
  maxNewTokens: number;
}

const FINISH = { eogToken: 'stop', stopGenerationTrigger: 'stop', customStopTrigger: 'stop', maxTokens: 'length', abort: 'abort' } as const;

export class LlmInstance implements LlmHandle {
  readonly queue: RequestQueue;
  readonly chatWrapper: ChatWrapper;
  readonly fim: ResolvedFim | null;
  private readonly completion: LlamaCompletion;
  private readonly bos: Token | null;
  private readonly lookup: ReturnType<typeof vocabLookup>;

  constructor(
    readonly endpointName: string,
    readonly modelVersion: ModelVersion,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly config: LlmEndpointConfig,
    readonly gguf: GgufSummary,
  ) {
    this.queue = new RequestQueue(1, config.maxQueue);
    // The model came from runtimes/llama.ts, so node-llama-cpp is loaded.
    this.completion = new (llamaCpp().LlamaCompletion)({ contextSequence: context.getSequence() });
    this.chatWrapper = chatWrapperFor(model, config.chatTemplate);
    this.bos = beginningToken(model);
    const vocab = (model.fileInfo.metadata as unknown as { tokenizer?: { ggml?: { tokens?: readonly string[] } } }).tokenizer?.ggml?.tokens;
    this.lookup = vocabLookup(vocab);
    const fimInfo = gguf.specialTokens.fim;
    this.fim = config.fimTemplate
      ? forceFimTemplate(config.fimTemplate, this.lookup)
      : fimInfo
        ? detectFimTemplate(this.lookup, { prefix: fimInfo.prefix?.text, suffix: fimInfo.suffix?.text, middle: fimInfo.middle?.text, prefixId: fimInfo.prefix?.id, suffixId: fimInfo.suffix?.id, middleId: fimInfo.middle?.id })
        : null;
  }

  /** The configured context window (llama.cpp may allocate a little more, rounded up to 256; the budget is the configured size). */
  get contextSize(): number {
    return Math.min(this.config.contextSize, this.context.contextSize);
  }

  get modelRef(): string {
    return `${this.modelVersion.name}:${this.modelVersion.version}`;
  }

  /** A raw prompt as llama-server tokenizes it: BOS (when the model adds one) + the text, special-token text parsed. */
  promptTokens(text: string): Token[] {
    return [...(this.bos !== null ? [this.bos] : []), ...tokenizePrompt(this.model, text)];
  }

  async countTokens(text: string): Promise<number> {
    return tokenizePrompt(this.model, text).length;
  }

  /** A dialog rendered with the model's chat format. */
  chatPrompt(messages: Array<{ role: string; content: string }>): PromptInput & { text: string } {
    const chat = renderChat(this.chatWrapper, messages);
    let tokens = chat.text.tokenize(this.model.tokenizer);
    if (this.bos !== null && tokens[0] !== this.bos) tokens = [this.bos, ...tokens];
    return { tokens, stop: chat.stop, text: chat.text.toString() };
  }

  /** The infill prompt; `template` forces a FIM template (its markers stay plain text when the vocabulary lacks them). */
  infillPrompt(prefix: string, suffix: string, template?: string): PromptInput & { template: string; display: string; native: boolean } {
    const fim = template ? forceFimTemplate(template, this.lookup) : this.fim;
    if (!fim) {
      throw new AppError('LLM_FIM_UNSUPPORTED', `Model ${this.modelRef} has no fill-in-the-middle tokens in its vocabulary (none of <PRE>/<SUF>/<MID>, <fim_prefix>, <｜fim▁begin｜>, <|fim_prefix|>, [PREFIX]), so it cannot infill.`, {
        problems: [{ field: 'model', problem: 'no FIM tokens', fix: 'Deploy a code model trained for infilling (Code Llama, StarCoder, DeepSeek Coder, Qwen2.5-Coder), or force a template with parameters.template.' }],
      });
    }
    const display = fim.template.display(prefix, suffix);
    const native = buildFimTokens(fim, prefix, suffix, (text, spacePrefix) => (spacePrefix ? tokenizePlain(this.model, text) : tokenizeContinuation(this.model, text)));
    const body = (native as Token[] | null) ?? tokenizePrompt(this.model, display);
    return { tokens: [...(this.bos !== null ? [this.bos] : []), ...body], stop: fim.stop.length > 0 ? fim.stop : fim.template.stop, template: fim.template.name, display, native: native !== null };
  }

  /** LlmHandle: raw prompt generation for other domains (waits for a slot instead of 429). */
  async generate(prompt: string, params: GenerationParams, options: { signal?: AbortSignal; onToken?: (text: string) => void; truncate?: boolean } = {}): Promise<GenerationResult> {
    const r = await this.run({ tokens: this.promptTokens(prompt) }, params, { ...options, bounded: false });
    return { text: r.text, promptTokens: r.promptTokens, completionTokens: r.completionTokens, finishReason: r.finishReason, timeToFirstToken: r.timeToFirstToken, tokensPerSecond: r.tokensPerSecond };
  }

  async run(input: PromptInput, params: GenerationParams, options: RunOptions = {}): Promise<RunResult> {
    const requested = performance.now();
    const budget = fitBudget(input.tokens, params.maxNewTokens, this.contextSize, { truncate: options.truncate, hasBos: this.bos !== null && input.tokens[0] === this.bos, maxLabel: options.maxLabel });
    return this.queue.run(
      async () => {
        const started = performance.now();
        let first = 0;
        let completionTokens = 0;
        let lastTokens: number[] = [];
        const stop = [...(params.stop ?? []), ...(input.stop ?? [])];
        // LlamaCompletion prepends BOS itself.
        const tokens = (this.bos !== null && budget.tokens[0] === this.bos ? budget.tokens.slice(1) : budget.tokens) as Token[];
        const res = await this.completion.generateCompletionWithMeta(tokens, {
          ...samplerOptions(params),
          maxTokens: budget.maxNewTokens,
          customStopTriggers: stop.length > 0 ? stop : undefined,
          signal: options.signal,
          stopOnAbortSignal: true,
          contextShiftSize: 0,
          disableContextShift: true,
          onToken: (t) => {
            if (first === 0) first = performance.now();
            completionTokens += t.length;
            lastTokens = t;
          },
          onTextChunk: options.onToken ? (text) => options.onToken!(text, lastTokens) : undefined,
        });
        const ended = performance.now();
        const seconds = (ended - started) / 1000;
        return {
          text: res.response,
          promptTokens: budget.tokens.length,
          completionTokens,
          finishReason: FINISH[res.metadata.stopReason],
          timeToFirstToken: first === 0 ? seconds : (first - requested) / 1000,
          tokensPerSecond: seconds > 0 ? completionTokens / seconds : 0,
          truncatedTokens: budget.truncatedTokens,
          queueSeconds: (started - requested) / 1000,
          seconds,
          maxNewTokens: budget.maxNewTokens,
        };
      },
      { bounded: options.bounded, signal: options.signal, label: `Endpoint "${this.endpointName}"` },
    );
  }

  info() {
    return {
      endpoint: this.endpointName,
      model: { name: this.modelVersion.name, version: this.modelVersion.version, id: this.modelVersion.id },
      contextSize: this.contextSize,
      threads: this.config.threads,
      chatTemplate: this.chatWrapper.wrapperName,
      fimTemplate: this.fim ? { name: this.fim.template.name, label: this.fim.template.label, native: this.fim.native } : null,
      queue: this.queue.stats(),
    };
  }

  async dispose(): Promise<void> {
    this.queue.close(new AppError('ENDPOINT_NOT_FOUND', `Endpoint "${this.endpointName}" was deleted or redeployed while the request waited.`));
    this.completion.dispose();
    await this.context.dispose();
  }
}
