/** Model-registry governance queries: approval + history, aliases, tags, the model card, deploy-on-approval. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';

const enc = encodeURIComponent;
const versionPath = (name: string, version: number) => `/models/${enc(name)}/versions/${version}`;

export type ApprovalStatus = 'PendingManualApproval' | 'Approved' | 'Rejected';
export interface ApprovalChange { status: ApprovalStatus; previousStatus: ApprovalStatus; by: string; at: string; reason: string }
export interface ApprovalView { status: ApprovalStatus; updatedBy: string | null; updatedAt: string | null; reason: string; history: ApprovalChange[] }
export interface Deployment { endpoint: string; action: 'created' | 'updated' | 'failed'; error?: { code: string; message: string } }
export interface AliasItem { alias: string; modelId: string; version: number; updatedBy: string; updatedAt: string }
export interface ModelCardView {
  description: string;
  intendedUse: string;
  limitations: string;
  updatedBy: string | null;
  updatedAt: string | null;
  approval: ApprovalStatus;
  metrics: Record<string, number>;
  lineage: { datasetVersionId: string | null; dataset: { ref?: string; name?: string; id?: string; version?: number } | null; trainingJobId: string | null };
  tags: Record<string, string>;
  aliases: string[];
}

export const registryKeys = {
  all: (name: string) => ['registry', name] as const,
  approval: (name: string, v: number) => ['registry', name, 'approval', v] as const,
  aliases: (name: string) => ['registry', name, 'aliases'] as const,
  card: (name: string, v: number) => ['registry', name, 'card', v] as const,
  settings: (name: string) => ['registry', name, 'settings'] as const,
};

export function useApproval(name: string, version: number) {
  return useQuery({ queryKey: registryKeys.approval(name, version), queryFn: ({ signal }) => api<ApprovalView>(`${versionPath(name, version)}/approval`, { signal }) });
}

export function useAliases(name: string) {
  return useQuery({ queryKey: registryKeys.aliases(name), queryFn: ({ signal }) => api<{ items: AliasItem[] }>(`/models/${enc(name)}/aliases`, { signal }) });
}

export function useModelCard(name: string, version: number) {
  return useQuery({ queryKey: registryKeys.card(name, version), queryFn: ({ signal }) => api<ModelCardView>(`${versionPath(name, version)}/card`, { signal }) });
}

export function useRegistrySettings(name: string) {
  return useQuery({ queryKey: registryKeys.settings(name), queryFn: ({ signal }) => api<{ deployOnApproval: { endpoint: string } | null }>(`/models/${enc(name)}/settings`, { signal }) });
}

/** The writes; each refreshes what it changed (the whole model's registry data: aliases span versions). */
export function useRegistryWrites(name: string, version: number) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: registryKeys.all(name) });
  return {
    async setApproval(status: ApprovalStatus, reason: string) {
      const out = await api<{ status: ApprovalStatus; deployment?: Deployment }>(`${versionPath(name, version)}/approval`, { method: 'PUT', body: { status, reason } });
      await refresh();
      if (out.deployment) await qc.invalidateQueries({ queryKey: ['endpoints'] });
      return out;
    },
    async setAlias(alias: string) {
      await api(`/models/${enc(name)}/aliases/${enc(alias)}`, { method: 'PUT', body: { version } });
      await refresh();
    },
    async deleteAlias(alias: string) {
      await api(`/models/${enc(name)}/aliases/${enc(alias)}`, { method: 'DELETE' });
      await refresh();
    },
    async putTag(key: string, value: string) {
      await api(`${versionPath(name, version)}/tags`, { method: 'PUT', body: { tags: { [key]: value } } });
      await refresh();
    },
    async deleteTag(key: string) {
      await api(`${versionPath(name, version)}/tags/${enc(key)}`, { method: 'DELETE' });
      await refresh();
    },
    async putCard(card: { description: string; intendedUse: string; limitations: string }) {
      await api(`${versionPath(name, version)}/card`, { method: 'PUT', body: card });
      await refresh();
    },
    async setDeployOnApproval(endpoint: string | null) {
      await api(`/models/${enc(name)}/settings`, { method: 'PUT', body: { deployOnApproval: endpoint ? { endpoint } : null } });
      await refresh();
    },
  };
}
