/**
 * The LLM domain's public surface (src/app and src/http import it only from here): the LLM service (GGUF
 * catalog, `llm` endpoint runtime, LlmProvider), the llm model kind (kind.ts: its runtime and /endpoints/:name/
 * routes), and the routes plugins (/api/v1 and the OpenAI-compatible /v1) with their dependencies.
 */
export { createLlmService, LLM_MODEL_KIND, type LlmDeps, type LlmService } from './service.ts';
export type { LlmHandle, LlmProvider } from './types.ts';
export { llmRoutes, type LlmRouteDeps } from './routes.ts';
export { llmKind } from './kind.ts';
export { openAiRoutes, type OpenAiRouteDeps } from './openai.ts';
