/**
 * Image classification API (docs: the images HTTP contract): dataset summaries and thumbnails, image
 * models (build, metrics, predict, batch, export) and image endpoints. Shapes the server may extend are
 * read defensively by the pages (see ./read.ts).
 */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, authHeaders, buildUrl, isApiError, parseBody } from '../api/client.ts';
import type { Job, ModelVersion, Page, Problem } from '../api/types.ts';
import type { z } from 'zod';
import type { ImagePrediction } from '../../../src/domains/images/predict.ts';
import type { BuildKind, buildRequestSchema } from '../../../src/domains/images/schema.ts';

export type { BuildKind, ImagePrediction };
/** Body of POST /images/models. */
export type BuildRequest = z.input<typeof buildRequestSchema>;

const enc = encodeURIComponent;

export interface LabelCount {
  label: string;
  count: number;
  /** Distinct groups (e.g. lesions) with this label, when a group column is known. */
  groups?: number | null;
}

/** GET /images/datasets/:idOrName/versions/:version/summary */
export interface ImageDatasetSummary {
  imageCount: number;
  labels: LabelCount[];
  /** Manifest columns usable as group or label column (empty for plain label folders). */
  columns: string[];
  /** Warnings (label under minImagesPerLabel, …) and errors. */
  problems: Problem[];
}

export interface ImageItem {
  index: number;
  path: string;
  label: string;
  group?: string | null;
  bytes: number;
}

export interface LabelMetricsRow {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  auc?: number | null;
}

export interface ImageMetrics {
  accuracy?: number;
  balanced_accuracy?: number;
  macro_f1?: number;
  mean_auc?: number | null;
  per_label?: Record<string, LabelMetricsRow>;
  confusion_matrix?: { labels: string[]; matrix: number[][] };
  cv?: { folds: number; balanced_accuracy_mean: number; balanced_accuracy_std: number; macro_f1_mean?: number } | null;
  calibration?: { temperature: number; ece_before: number; ece_after: number } | null;
}

export interface TriedRow {
  name: string;
  C?: number;
  views?: number | string[] | string;
  augment?: number | boolean | string;
  /** Which rows the head was fitted on, e.g. "views" or "views+augmented". */
  train_on?: string;
  cv_balanced_accuracy?: number;
  cv_macro_f1?: number;
  seconds?: number;
}

export interface ImageReport {
  build?: 'quick' | 'standard' | string;
  /** Backbone layer the head was trained on (absent on builds before issue 18: the 1,000 logits). */
  features?: { kind: 'pooled' | 'multilayer' | 'logits' | string; dim: number; backboneId?: string };
  split?: { kind: string; groupColumn: string | null; train: number; test: number; groupsTrain?: number; groupsTest?: number };
  tried?: TriedRow[];
  chosen?: string;
  /** How the candidate was chosen. */
  selection?: string;
  train_seconds?: number;
  images?: number;
  /** Unreadable or too-small images left out (one warning each). */
  skipped?: number;
  embed_images_per_second?: number;
  warnings?: Problem[];
}

/** GET /images/models/:name/versions/:version */
export interface ImageModelDetail {
  model: ModelVersion;
  metrics: ImageMetrics | null;
  report: ImageReport | null;
}

export const imageKeys = {
  all: ['images'] as const,
  models: () => ['images', 'models'] as const,
  model: (name: string, v: number) => ['images', 'model', name, v] as const,
  summary: (ds: string, v: number, labelColumn: string, groupColumn: string) => ['images', 'summary', ds, v, labelColumn, groupColumn] as const,
  images: (ds: string, v: number, label: string, labelColumn: string) => ['images', 'items', ds, v, label, labelColumn] as const,
};

export function imageModelPath(name: string, version: number): string {
  return `/images/models/${enc(name)}/${version}`;
}

const dsBase = (ds: string, v: number) => `/images/datasets/${enc(ds)}/versions/${v}`;
const modelBase = (name: string, v: number) => `/images/models/${enc(name)}/versions/${v}`;

export function thumbnailUrl(ds: string, v: number, index: number): string {
  return buildUrl(`${dsBase(ds, v)}/images/${index}/thumbnail`);
}

export function exportOnnxUrl(name: string, v: number): string {
  return buildUrl(`${modelBase(name, v)}/export.onnx`);
}

export function batchCsvUrl(jobId: string): string {
  return buildUrl(`/images/batch/${enc(jobId)}/predictions.csv`);
}

export function useImageModels() {
  return useQuery({
    queryKey: imageKeys.models(),
    queryFn: async ({ signal }) => {
      try {
        return await api<Page<ModelVersion>>('/images/models', { query: { limit: 200 }, signal });
      } catch (err) {
        // The route is missing on an older server: an empty list, not an error.
        if (isApiError(err) && err.status === 404) return { items: [], nextCursor: null } satisfies Page<ModelVersion>;
        throw err;
      }
    },
    refetchInterval: (q) => (q.state.data?.items.some((m) => m.status === 'training') ? 2000 : 10_000),
  });
}

export function useImageModel(name: string, version: number) {
  return useQuery({
    queryKey: imageKeys.model(name, version),
    queryFn: ({ signal }) => api<ImageModelDetail>(modelBase(name, version), { signal }),
    enabled: Boolean(name) && version > 0,
    refetchInterval: (q) => (q.state.data?.model?.status === 'training' ? 2000 : false),
  });
}

export function useImageSummary(ds: string, v: number, labelColumn: string, groupColumn: string) {
  return useQuery({
    queryKey: imageKeys.summary(ds, v, labelColumn, groupColumn),
    queryFn: ({ signal }) =>
      api<ImageDatasetSummary>(`${dsBase(ds, v)}/summary`, { query: { labelColumn: labelColumn || undefined, groupColumn: groupColumn || undefined }, signal }),
    enabled: Boolean(ds) && v > 0,
    placeholderData: (prev) => prev,
    staleTime: 60_000,
  });
}

export function useImageItems(ds: string, v: number, label: string, limit: number, labelColumn: string) {
  return useQuery({
    queryKey: [...imageKeys.images(ds, v, label, labelColumn), limit],
    queryFn: ({ signal }) => api<Page<ImageItem>>(`${dsBase(ds, v)}/images`, { query: { label, limit, labelColumn: labelColumn || undefined }, signal }),
    enabled: Boolean(ds) && v > 0,
    staleTime: 60_000,
  });
}

/** POST /images/models → 202 { job, model }. */
export function startBuild(body: BuildRequest): Promise<{ job: Job; model: { name: string; version: number } }> {
  return api('/images/models', { method: 'POST', body });
}

/** Multipart `file`; `?explain=true` adds nearest training images and the occlusion saliency grid. */
export function predictImage(name: string, v: number, file: File, explain = true): Promise<ImagePrediction> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<ImagePrediction>(`${modelBase(name, v)}/predict`, { method: 'POST', body: form, query: { explain } });
}

export function startImageBatch(name: string, v: number, dataset: string): Promise<{ job: Job }> {
  return api<{ job: Job }>(`${modelBase(name, v)}/batch`, { method: 'POST', body: { dataset } });
}

/** Fetches an image with the bearer token (an <img src> cannot send it) and returns an object URL. */
export async function fetchImageBlobUrl(url: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(url, { headers: authHeaders(), signal });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw ApiError.fromBody(res.status, res.statusText, parseBody(text, res.headers.get('content-type')));
  }
  return URL.createObjectURL(await res.blob());
}
