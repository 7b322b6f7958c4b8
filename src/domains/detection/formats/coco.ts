/**
 * COCO object-detection JSON: `images[{id,file_name,width,height}]`, `annotations[{image_id,category_id,bbox:[x,y,w,h]}]`,
 * `categories[{id,name}]`. Class ids are the categories in id order (COCO ids are usually 1-based). A listed image
 * without annotations has no boxes (COCO lists exhaustively labeled images); an image not listed stays unlabeled.
 */
import type { DetectionSet, LabeledBox } from './types.ts';
import type { DetectionProblems } from './problems.ts';
import { num, type ParsedLabels } from './records.ts';

interface CocoDoc { images?: unknown; annotations?: unknown; categories?: unknown }

/** True when a parsed JSON value looks like a COCO detection file. */
export function isCoco(doc: unknown): boolean {
  const d = doc as CocoDoc | null;
  return !!d && typeof d === 'object' && Array.isArray(d.images) && Array.isArray(d.annotations) && Array.isArray(d.categories);
}

export function parseCoco(doc: unknown, file: string, problems: DetectionProblems): ParsedLabels {
  const d = doc as { images: Array<Record<string, unknown>>; annotations: Array<Record<string, unknown>>; categories: Array<Record<string, unknown>> };
  const cats = d.categories.map((c, i) => ({ id: num(c?.id), name: c?.name, i })).filter((c) => {
    if (c.id !== undefined && typeof c.name === 'string') return true;
    problems.add('labels', { row: c.i + 1, field: `categories[${c.i}]`, problem: `${file}: category ${c.i + 1} has no numeric id or no name`, fix: 'Give every category {"id": <number>, "name": "<name>"}.' });
    return false;
  }).sort((a, b) => a.id! - b.id!);
  const classOf = new Map(cats.map((c, k) => [c.id!, k]));
  const boxesOf = new Map<number, LabeledBox[]>();
  d.annotations.forEach((a, i) => {
    const at = { row: i + 1, field: `annotations[${i}]` };
    const bbox = Array.isArray(a?.bbox) ? (a.bbox as unknown[]).map(num) : [];
    const imageId = num(a?.image_id);
    if (bbox.length !== 4 || bbox.some((v) => v === undefined) || imageId === undefined) {
      problems.add('labels', { ...at, problem: `${file}: annotation ${i + 1} has no image_id or no bbox [x, y, width, height]`, fix: 'Give every annotation an image_id and a bbox of four numbers (pixels).' });
      return;
    }
    const classId = classOf.get(num(a.category_id) ?? NaN);
    if (classId === undefined) {
      problems.add('labels', { ...at, field: `${at.field}.category_id`, problem: `${file}: annotation ${i + 1} has category_id ${String(a.category_id)}, which is not in "categories"`, fix: 'Add the category to "categories" or fix the annotation\'s category_id.' });
      return;
    }
    const [x, y, w, h] = bbox as number[];
    boxesOf.set(imageId, [...(boxesOf.get(imageId) ?? []), { classId, x: x!, y: y!, w: w!, h: h! }]);
  });
  const records = d.images.flatMap((im, i) => {
    const id = num(im?.id);
    if (id === undefined || typeof im.file_name !== 'string' || im.file_name === '') {
      problems.add('labels', { row: i + 1, field: `images[${i}]`, problem: `${file}: image ${i + 1} has no id or file_name`, fix: 'Give every image an id and a file_name relative to the JSON file\'s folder.' });
      return [];
    }
    return [{ file, row: i + 1, source: im.file_name, boxes: boxesOf.get(id) ?? [], width: num(im.width), height: num(im.height) }];
  });
  return { classes: cats.map((c) => c.name as string), records };
}

export function writeCoco(set: DetectionSet): string {
  const labeled = set.images.filter((im) => im.boxes !== null);
  let annId = 0;
  return JSON.stringify({
    info: { description: 'Exported by Sagebrush', date_created: new Date().toISOString() },
    images: labeled.map((im, i) => ({ id: i + 1, file_name: im.ref, width: im.width, height: im.height })),
    annotations: labeled.flatMap((im, i) => im.boxes!.map((b) => ({ id: ++annId, image_id: i + 1, category_id: b.classId + 1, bbox: [b.x, b.y, b.w, b.h], area: b.w * b.h, iscrowd: 0 }))),
    categories: set.classes.map((name, k) => ({ id: k + 1, name, supercategory: 'none' })),
  });
}
