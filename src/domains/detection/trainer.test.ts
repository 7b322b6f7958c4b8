import { describe, expect, it } from 'vitest';
import type { DetectionImage } from './formats/types.ts';
import { splitLabeled } from './trainer.ts';

const images = (labeled: number, unlabeled: number): DetectionImage[] => [
  ...Array.from({ length: labeled }, (_, i) => ({ ref: `l${i}.jpg`, width: 450, height: 300, boxes: i % 3 === 0 ? [] : [{ classId: 0, x: 1, y: 1, w: 10, h: 10 }] })),
  ...Array.from({ length: unlabeled }, (_, i) => ({ ref: `u${i}.jpg`, width: 450, height: 300, boxes: null })),
];

describe('splitLabeled (the held-out 20 %)', () => {
  it('holds out round(20 %) of the labeled images, seeded, never an unlabeled one (images with 0 boxes are labeled)', () => {
    const set = images(235, 14);
    const a = splitLabeled(set, 42);
    expect([a.train.length, a.test.length]).toEqual([188, 47]);
    expect([...a.train, ...a.test].every((i) => i.ref.startsWith('l'))).toBe(true);
    expect(new Set([...a.train, ...a.test].map((i) => i.ref)).size).toBe(235);
    expect(splitLabeled(set, 42).test.map((i) => i.ref)).toEqual(a.test.map((i) => i.ref));
    expect(splitLabeled(set, 43).test.map((i) => i.ref)).not.toEqual(a.test.map((i) => i.ref));
  });

  it('fewer than 10 labeled images is DETECTION_TOO_FEW_IMAGES (unlabeled ones do not count)', () => {
    expect(() => splitLabeled(images(9, 50), 1)).toThrow(expect.objectContaining({ code: 'DETECTION_TOO_FEW_IMAGES' }));
    expect(splitLabeled(images(10, 0), 1).test).toHaveLength(2);
  });
});
