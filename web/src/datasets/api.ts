/** Dataset queries and mutations (GET/DELETE /datasets…, multipart upload with progress). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { uploadWithProgress, type UploadHandle } from '../api/upload.ts';
import { isVersionPending, type Dataset, type DatasetDetail, type DatasetUploadAccepted, type DatasetVersion, type Page, type Preview } from '../api/types.ts';

const enc = encodeURIComponent;

export const datasetKeys = {
  all: ['datasets'] as const,
  list: () => ['datasets', 'list'] as const,
  one: (idOrName: string) => ['datasets', 'one', idOrName] as const,
  version: (idOrName: string, v: number) => ['datasets', 'version', idOrName, v] as const,
  preview: (idOrName: string, v: number, offset: number, limit: number) => ['datasets', 'preview', idOrName, v, offset, limit] as const,
};

export function useDatasets() {
  return useQuery({ queryKey: datasetKeys.list(), queryFn: ({ signal }) => api<Page<Dataset>>('/datasets', { query: { limit: 200 }, signal }) });
}

export function useDataset(idOrName: string, enabled = true) {
  return useQuery({
    queryKey: datasetKeys.one(idOrName),
    queryFn: ({ signal }) => api<DatasetDetail>(`/datasets/${enc(idOrName)}`, { signal }),
    enabled: enabled && Boolean(idOrName),
    // Poll while a version is still importing.
    refetchInterval: (q) => (q.state.data?.versions?.some((v) => isVersionPending(v.status)) ? 1000 : false),
  });
}

export function useDatasetVersion(idOrName: string, version: number, enabled = true) {
  return useQuery({
    queryKey: datasetKeys.version(idOrName, version),
    queryFn: ({ signal }) => api<DatasetVersion>(`/datasets/${enc(idOrName)}/versions/${version}`, { signal }),
    enabled: enabled && version > 0,
    staleTime: 30_000,
  });
}

export function usePreview(idOrName: string, version: number, offset: number, limit: number, enabled: boolean) {
  return useQuery({
    queryKey: datasetKeys.preview(idOrName, version, offset, limit),
    queryFn: ({ signal }) => api<Preview>(`/datasets/${enc(idOrName)}/versions/${version}/preview`, { query: { offset, limit }, signal }),
    enabled,
    placeholderData: (prev) => prev,
  });
}

export function deleteDataset(idOrName: string): Promise<void> {
  return api<void>(`/datasets/${enc(idOrName)}`, { method: 'DELETE' });
}

export function versionFileUrl(idOrName: string, version: number): string {
  return `/api/v1/datasets/${enc(idOrName)}/versions/${version}/file`;
}

export interface UploadFields {
  file: File;
  name?: string;
  description?: string;
  format?: string;
  header?: string;
}

export function uploadDataset(fields: UploadFields, onProgress: (fraction: number) => void): UploadHandle<DatasetUploadAccepted> {
  const form = new FormData();
  // Text fields first: a streaming multipart parser sees them before the file.
  if (fields.name?.trim()) form.append('name', fields.name.trim());
  if (fields.description?.trim()) form.append('description', fields.description.trim());
  if (fields.format && fields.format !== 'auto') form.append('format', fields.format);
  if (fields.header && fields.header !== 'auto') form.append('header', fields.header);
  form.append('file', fields.file, fields.file.name);
  return uploadWithProgress<DatasetUploadAccepted>('/datasets', form, onProgress);
}
