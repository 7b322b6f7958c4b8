/**
 * Contract between the LLM endpoint runtime (C4/C5) and its users (summarization, C6). The runtime owns
 * model loading (node-llama-cpp, memoised, disposed with the endpoint) and a bounded request queue.
 */

export interface GenerationParams {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  doSample?: boolean;
  repetitionPenalty?: number;
  stop?: string[];
  seed?: number;
  /** OpenAI-style additive penalties (optional; 0 = none). */
  frequencyPenalty?: number;
  presencePenalty?: number;
}

export interface GenerationResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'abort';
  /** Seconds from the start of the request to the first generated token. */
  timeToFirstToken: number;
  tokensPerSecond: number;
}

/** One deployed LLM endpoint, as seen by code that needs text generation. */
export interface LlmHandle {
  endpointName: string;
  /** The context window the endpoint was deployed with (tokens). */
  contextSize: number;
  /** Counts tokens with the model's own tokenizer. */
  countTokens(text: string): Promise<number>;
  /**
   * Generates a completion for a raw prompt. Throws AppError LLM_CONTEXT_OVERFLOW (saying by how many tokens) when
   * prompt + maxNewTokens does not fit, unless `truncate` is set. `onToken` receives text pieces as they come.
   */
  generate(prompt: string, params: GenerationParams, options?: { signal?: AbortSignal; onToken?: (text: string) => void; truncate?: boolean }): Promise<GenerationResult>;
}

/** What the LLM domain offers to other domains. */
export interface LlmProvider {
  /** Resolves a deployed endpoint by name (AppError ENDPOINT_NOT_FOUND / CONFLICT when it is not an LLM endpoint). */
  handle(endpointName: string): Promise<LlmHandle>;
}
