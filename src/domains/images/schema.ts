/** Request shapes of the image-classification API (zod: validation + OpenAPI from one source). */
import { z } from 'zod';

export const IMAGE_MODEL_KIND = 'image-classifier';
export const buildKindSchema = z.enum(['quick', 'standard']);
export type BuildKind = z.infer<typeof buildKindSchema>;

const columnName = z.string().min(1).max(200);

/**
 * Which backbone layer(s) a build trains on: 'pooled' (MobileNetV2's 1,280 pooled penultimate values; +0.05–0.06
 * balanced accuracy on the HAM10000 sample over the logits, docs/benchmarks.md images-features), 'multilayer' (those
 * + the global averages of the last 3 trunk stages, 96 + 160 + 320 values: pixels/multilayer.ts) or 'logits' (the
 * 1,000 ImageNet logits, what builds used before issue 18). A model records it; prediction uses the same layer(s).
 */
export const imageFeaturesSchema = z.enum(['pooled', 'multilayer', 'logits'], { error: 'use "pooled" (default: the 1,280 pooled penultimate features), "multilayer" (those + 3 earlier blocks, 1,856) or "logits" (the 1,000 ImageNet logits)' });
export type ImageFeatureKind = z.infer<typeof imageFeaturesSchema>;

export const buildRequestSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  dataset: z.string().min(1).describe('"name" or "name:version" (default: latest version)'),
  build: buildKindSchema.default('quick'),
  features: imageFeaturesSchema.default('pooled').describe('backbone layer(s) the head is trained on: "pooled" (1,280 values, default), "multilayer" (1,856) or "logits" (1,000)'),
  groupColumn: columnName.optional().describe('manifest column whose images must stay on one side of every split (e.g. lesion_id)'),
  labelColumn: columnName.optional().describe('manifest column holding the label (default: the label folder)'),
  testFraction: z.number().gt(0).lt(1).default(0.2),
  folds: z.number().int().min(2).max(10).default(5),
  /** Fold seeds for the whole-dataset CV (its figures are means over them). */
  cvRepeats: z.number().int().min(1).max(10).default(3),
  seed: z.number().int().default(0),
  minImagesPerLabel: z.number().int().min(1).default(25).describe('labels with fewer images get a warning (Canvas asks for 25)'),
});
export type BuildRequest = z.infer<typeof buildRequestSchema>;

/** The `images.train` job payload: the request plus the model version it fills in. */
export const trainJobPayloadSchema = buildRequestSchema.extend({ modelId: z.string().min(1) });
export type TrainJobPayload = z.infer<typeof trainJobPayloadSchema>;

export const batchRequestSchema = z.object({ dataset: z.string().min(1).describe('"name" or "name:version"') });

export const batchJobPayloadSchema = z.object({ modelId: z.string().min(1), dataset: z.string().min(1), outputKey: z.string().min(1) });
export type BatchJobPayload = z.infer<typeof batchJobPayloadSchema>;

export const datasetVersionParams = z.object({ idOrName: z.string().min(1), version: z.string().regex(/^(\d+|latest)$/, 'a version number or "latest"') });
export const columnsQuery = z.object({ labelColumn: columnName.optional(), groupColumn: columnName.optional(), minImagesPerLabel: z.coerce.number().int().min(1).optional() });
export const imagesQuery = z.object({
  label: z.string().optional(),
  labelColumn: columnName.optional(),
  groupColumn: columnName.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});
export const modelVersionParams = z.object({ name: z.string().min(1), version: z.coerce.number().int().positive() });
export const predictQuery = z.object({ explain: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1') });
export const predictJsonBody = z.object({ image: z.string().min(1).describe('base64 image bytes (JPEG, PNG or WebP); a data: URL prefix is allowed') });

/** "name" or "name:version" → parts (dataset names may not end in ":<digits>"). */
export function parseDatasetRef(ref: string): { name: string; version: number | 'latest' } {
  const m = /^(.+):(\d+)$/.exec(ref.trim());
  return m ? { name: m[1]!, version: Number(m[2]) } : { name: ref.trim(), version: 'latest' };
}
