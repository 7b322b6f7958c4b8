/** LLM catalog and endpoint queries (GET/POST /api/v1/llm/…, /api/v1/endpoints/{name}/llm). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Endpoint, ModelVersion, Page } from '../api/types.ts';
import type { GgufSummary, SpecialToken } from '../../../src/domains/llm/gguf.ts';

export type { GgufSummary, SpecialToken };

/** A registered GGUF model: a model version whose meta the LLM catalog writes. */
export interface LlmModel extends Omit<ModelVersion, 'meta'> {
  meta: { gguf?: GgufSummary; license: string | null; requiresEula: boolean; source: { type: 'path' | 'artifact'; path?: string; sizeBytes: number } };
}

const enc = encodeURIComponent;

export interface LlmEndpointInfo {
  endpoint: string;
  model: { name: string; version: number };
  contextSize: number;
  threads: number;
  chatTemplate: string;
  fimTemplate: { name: string; label: string; native: boolean } | null;
  queue: { slots: number; maxQueue: number; running: number; waiting: number; served: number; rejected: number };
  gguf: GgufSummary | null;
  license: string | null;
  requiresEula: boolean;
}

export const llmKeys = {
  all: ['llm'] as const,
  models: () => ['llm', 'models'] as const,
  endpoints: () => ['llm', 'endpoints'] as const,
  info: (name: string) => ['llm', 'info', name] as const,
};

export function useLlmModels() {
  return useQuery({ queryKey: llmKeys.models(), queryFn: ({ signal }) => api<Page<LlmModel>>('/llm/models', { query: { limit: 200 }, signal }) });
}

export function useLlmEndpoints() {
  return useQuery({
    queryKey: llmKeys.endpoints(),
    queryFn: async ({ signal }) => {
      const page = await api<Page<Endpoint>>('/endpoints', { query: { limit: 200 }, signal });
      return page.items.filter((e) => e.kind === 'llm');
    },
  });
}

export function useLlmEndpointInfo(name: string) {
  return useQuery({ queryKey: llmKeys.info(name), queryFn: ({ signal }) => api<LlmEndpointInfo>(`/endpoints/${enc(name)}/llm`, { signal }), refetchInterval: 5000 });
}

export function registerByPath(body: { path: string; name?: string; license?: string; requiresEula?: boolean }): Promise<LlmModel> {
  return api<LlmModel>('/llm/models', { method: 'POST', body });
}

export function deployLlm(name: string, model: string, config: Record<string, unknown>): Promise<Endpoint> {
  return api<Endpoint>('/endpoints', { method: 'POST', body: { name, model, config } });
}

export function playgroundPath(endpoint: string): string {
  return `/llm/endpoints/${enc(endpoint)}`;
}
