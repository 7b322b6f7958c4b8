/**
 * YOLO (Ultralytics) labels: one `labels/<image path>.txt` per labeled image with lines `class cx cy w h`, normalised
 * by the image size, and `dataset.yaml` with `names` (a map id → name, or a list). A missing txt file means
 * unlabeled; an empty one means an image without boxes.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { DetectionSet, LabeledBox } from './types.ts';
import type { DetectionProblems } from './problems.ts';
import { num } from './records.ts';

export function parseDatasetYaml(text: string, file: string, problems: DetectionProblems): string[] | null {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    problems.add('labels', { field: file, problem: `${file} is not valid YAML (${(err as Error).message.split('\n')[0]})`, fix: 'Write dataset.yaml with a "names" map, e.g. "names:\\n  0: scratch".' });
    return null;
  }
  const names = (doc as { names?: unknown } | null)?.names;
  if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return names;
  if (names && typeof names === 'object' && !Array.isArray(names)) {
    const entries = Object.entries(names as Record<string, unknown>).map(([k, v]) => [num(k), v] as const);
    if (entries.every(([k, v]) => k !== undefined && Number.isInteger(k) && k >= 0 && typeof v === 'string')) {
      const max = Math.max(-1, ...entries.map(([k]) => k!));
      const byId = new Map(entries.map(([k, v]) => [k!, v as string]));
      return Array.from({ length: max + 1 }, (_, k) => byId.get(k) ?? `class_${k}`);
    }
  }
  problems.add('labels', { field: `${file}: names`, problem: `${file} has no usable "names" (a map of class id → name, or a list of names)`, fix: 'Add e.g. "names:\\n  0: scratch" to dataset.yaml.' });
  return null;
}

/** Boxes of one txt file, still normalised (x, y = top-left corner as a fraction of the image size). */
export function parseYoloTxt(text: string, file: string, problems: DetectionProblems): LabeledBox[] | null {
  const boxes: LabeledBox[] = [];
  let ok = true;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const v = parts.map((p) => num(p));
    if (parts.length !== 5 || v.some((x) => x === undefined) || !Number.isInteger(v[0])) {
      ok = false;
      problems.add('labels', { row: i + 1, field: file, problem: `${file} line ${i + 1}: "${line.slice(0, 80)}" is not "class cx cy w h"${parts.length > 5 ? ' (segmentation polygons are not supported)' : ''}`, fix: 'Write one box per line: an integer class id and four numbers normalised to 0–1.' });
      return;
    }
    const [classId, cx, cy, w, h] = v as number[];
    boxes.push({ classId: classId!, x: cx! - w! / 2, y: cy! - h! / 2, w: w!, h: h! });
  });
  return ok ? boxes : null;
}

/** Normalised YOLO boxes → pixels, rounded to 1/1000 px (what the 10-digit text keeps exactly). */
export function yoloToPixels(boxes: readonly LabeledBox[], width: number, height: number): LabeledBox[] {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return boxes.map((b) => ({ classId: b.classId, x: r(b.x * width), y: r(b.y * height), w: r(b.w * width), h: r(b.h * height) }));
}

/** An image path without its image extension ('a.jpg_1' keeps its name, so it cannot collide with 'a.jpg'). */
export function yoloStem(path: string): string {
  return path.replace(/\.(jpe?g|png|webp)$/i, '');
}

/** Where an image's label file goes: images/a/b.jpg → labels/a/b.txt (Ultralytics' parallel folders). */
export function yoloLabelPath(ref: string): string {
  const rest = ref.startsWith('images/') ? ref.slice('images/'.length) : ref;
  return `labels/${yoloStem(rest)}.txt`;
}

const fmt = (v: number) => String(Number(v.toPrecision(10)));

/** dataset.yaml + one txt per labeled image (empty for an image without boxes; none for an unlabeled one). */
export function writeYolo(set: DetectionSet): Map<string, string> {
  const files = new Map<string, string>();
  files.set('dataset.yaml', stringifyYaml({ path: '.', train: 'images', val: 'images', nc: set.classes.length, names: Object.fromEntries(set.classes.map((c, i) => [i, c])) }));
  for (const im of set.images) {
    if (im.boxes === null) continue;
    const lines = im.boxes.map((b) => [b.classId, fmt((b.x + b.w / 2) / im.width), fmt((b.y + b.h / 2) / im.height), fmt(b.w / im.width), fmt(b.h / im.height)].join(' '));
    files.set(yoloLabelPath(im.ref), lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }
  return files;
}
