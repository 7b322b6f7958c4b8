import { describe, expect, it } from 'vitest';
import { codeOf } from '../../core/testing/errors.ts';
import type { ImageRecord } from './data.ts';
import { checkImages, checkLabels, throwIfLabelErrors } from './validate.ts';

function records(spec: Record<string, number>, groupsPer?: number): ImageRecord[] {
  let index = 0;
  return Object.entries(spec).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ index: index++, path: `${label}/${i}.jpg`, label, group: groupsPer ? `${label}-g${i % groupsPer}` : null, bytes: 1, meta: {} })),
  );
}

describe('image label rules', () => {
  it('warns (never fails) below minImagesPerLabel, naming the label and how many to add', () => {
    const c = checkLabels(records({ akiec: 10, nv: 60 }), { minImagesPerLabel: 25 });
    expect(c.errors).toEqual([]);
    expect(c.labels).toEqual([{ label: 'akiec', count: 10, groups: null }, { label: 'nv', count: 60, groups: null }]);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatchObject({ field: 'akiec', severity: 'warning' });
    expect(c.warnings[0]!.fix).toMatch(/Add 15 or more images of "akiec"/);
    expect(checkLabels(records({ akiec: 10, nv: 60 }), { minImagesPerLabel: 5 }).warnings).toEqual([]);
  });

  it('fails below 2 images, 2 groups or 2 labels', () => {
    expect(codeOf(() => throwIfLabelErrors(checkLabels(records({ a: 1, b: 30 }), { minImagesPerLabel: 25 })))).toBe('IMAGE_TOO_FEW_IMAGES');
    expect(codeOf(() => throwIfLabelErrors(checkLabels(records({ a: 30 }), { minImagesPerLabel: 25 })))).toBe('IMAGE_TOO_FEW_LABELS');
    const grouped = checkLabels(records({ a: 5, b: 5 }, 1), { minImagesPerLabel: 2, groupColumn: 'lesion_id' });
    expect(grouped.errors.map((e) => e.field)).toEqual(['a', 'b']);
    expect(grouped.errors[0]!.problem).toMatch(/only 1 "lesion_id" group/);
    expect(checkLabels(records({ a: 5, b: 5 }, 2), { minImagesPerLabel: 2, groupColumn: 'lesion_id' }).labels[0]).toEqual({ label: 'a', count: 5, groups: 2 });
  });

  it('skips unreadable images with a warning naming each file', async () => {
    const recs = records({ a: 2 });
    const out = await checkImages(recs, new Map([[recs[0]!.path, Buffer.from('not an image')]]));
    expect(out.ok).toEqual([]);
    expect(out.warnings.map((w) => w.field)).toEqual(['a/0.jpg', 'a/1.jpg']);
    expect(out.warnings[0]!.problem).toMatch(/skipped$/);
  });
});
