/**
 * Image dataset rules. Canvas asks for at least 25 images per label: below `minImagesPerLabel` is a warning
 * naming the label and the fix (the HAM10000 sample has labels with 10). A hard error only where a model
 * cannot be trained or evaluated: fewer than 2 labels, a label with fewer than 2 images, or (with a group
 * column) fewer than 2 groups. Unreadable and too-small images are skipped with one warning each.
 */
import { createHash } from 'node:crypto';
import { AppError, type Problem } from '../../core/errors.ts';
import { inspectImage } from './pixels/decode.ts';
import type { ImageRecord } from './data.ts';

export interface LabelSummary {
  label: string;
  count: number;
  groups: number | null;
}

export interface LabelCheck {
  labels: LabelSummary[];
  errors: Problem[];
  warnings: Problem[];
}

export function checkLabels(records: readonly ImageRecord[], options: { minImagesPerLabel: number; groupColumn?: string | null; labelColumn?: string | null }): LabelCheck {
  const byLabel = new Map<string, { count: number; groups: Set<string> }>();
  let unlabeled = 0;
  let ungrouped = 0;
  for (const r of records) {
    if (r.label === null) {
      unlabeled++;
      continue;
    }
    const e = byLabel.get(r.label) ?? { count: 0, groups: new Set<string>() };
    e.count++;
    if (r.group !== null) e.groups.add(r.group);
    else ungrouped++;
    byLabel.set(r.label, e);
  }
  const group = options.groupColumn ?? null;
  const labels = [...byLabel].map(([label, e]) => ({ label, count: e.count, groups: group ? e.groups.size : null })).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if (unlabeled > 0) warnings.push({ severity: 'warning', field: options.labelColumn ?? 'label', problem: `${unlabeled} image${unlabeled === 1 ? ' has' : 's have'} no label and ${unlabeled === 1 ? 'is' : 'are'} left out`, fix: options.labelColumn ? `Fill the "${options.labelColumn}" column for every image.` : 'Put every image in a label folder, or choose a label column.' });
  if (group && ungrouped > 0) warnings.push({ severity: 'warning', field: group, problem: `${ungrouped} image${ungrouped === 1 ? ' has' : 's have'} an empty "${group}"; each counts as its own group`, fix: `Fill the "${group}" column so images of one subject stay on one side of the split.` });
  if (labels.length < 2) {
    errors.push({ severity: 'error', code: 'IMAGE_TOO_FEW_LABELS', field: options.labelColumn ?? 'label', problem: `${labels.length} label${labels.length === 1 ? '' : 's'} found${labels[0] ? ` ("${labels[0].label}")` : ''}; classification needs at least 2`, fix: 'Add a folder (or label value) per class, with images of each.' });
  }
  for (const l of labels) {
    if (l.count < 2) errors.push({ severity: 'error', code: 'IMAGE_TOO_FEW_IMAGES', field: l.label, problem: `label "${l.label}" has ${l.count} image; at least 2 are needed to train and test`, fix: `Add images of "${l.label}" (Canvas asks for ${options.minImagesPerLabel}), or remove the label.` });
    else if (group && l.groups !== null && l.groups < 2) errors.push({ severity: 'error', code: 'IMAGE_TOO_FEW_IMAGES', field: l.label, problem: `label "${l.label}" has images of only ${l.groups} "${group}" group; a group-aware split needs at least 2`, fix: `Add images of "${l.label}" from another ${group}, or train without the group column.` });
    else if (l.count < options.minImagesPerLabel) warnings.push({ severity: 'warning', field: l.label, problem: `label "${l.label}" has ${l.count} images; Canvas asks for at least ${options.minImagesPerLabel} per label, so its metrics will be noisy`, fix: `Add ${options.minImagesPerLabel - l.count} or more images of "${l.label}" (or set minImagesPerLabel lower to silence this).` });
  }
  return { labels, errors, warnings };
}

export function throwIfLabelErrors(check: LabelCheck): void {
  if (check.errors.length === 0) return;
  const code = check.errors.some((e) => e.code === 'IMAGE_TOO_FEW_LABELS') ? 'IMAGE_TOO_FEW_LABELS' : 'IMAGE_TOO_FEW_IMAGES';
  throw new AppError(code, `The images cannot be trained on: ${check.errors.map((e) => e.problem).join('; ')}.`, { problems: check.errors });
}

export interface CheckedImage {
  record: ImageRecord;
  bytes: Buffer;
  /** sha256 of the bytes: the embedding cache key. */
  key: string;
}

/** Decodes each image's header; unreadable, tiny or unsupported ones are skipped with a warning naming the file. */
export async function checkImages(records: readonly ImageRecord[], bytes: ReadonlyMap<string, Buffer>, signal?: AbortSignal): Promise<{ ok: CheckedImage[]; warnings: Problem[] }> {
  const ok: CheckedImage[] = [];
  const warnings: Problem[] = [];
  for (const record of records) {
    signal?.throwIfAborted();
    const body = bytes.get(record.path);
    if (!body) {
      warnings.push({ severity: 'warning', field: record.path, problem: 'missing from the archive; skipped', fix: 'Re-upload the dataset.' });
      continue;
    }
    try {
      await inspectImage(body, record.path);
      ok.push({ record, bytes: body, key: createHash('sha256').update(body).digest('hex') });
    } catch (err) {
      const e = err as AppError;
      const p = e.problems?.[0];
      warnings.push({ severity: 'warning', code: e.code, field: record.path, problem: `${p?.problem ?? e.message}; skipped`, fix: p?.fix ?? 'Re-export the image as JPEG or PNG, or remove it.' });
    }
  }
  return { ok, warnings };
}
