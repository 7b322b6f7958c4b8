/**
 * readDetectionFolder(dir): a detection set from a folder laid out like the metal-tags sample (images/ + labels.csv). The layout is
 * detected from its top-level files, in this order: `labels.csv` (Ground Truth export), a Ground Truth augmented
 * manifest (`*.manifest` / `*.jsonl`), `dataset.yaml` + `labels/` or `labels_yolo/` (YOLO), a COCO `*.json`; a folder
 * with images only is a set of unlabeled images. Every image under the folder is part of the set (unlabeled when no
 * label names it — never a negative); image sizes come from the files. All bad rows are collected and reported at once.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { AppError } from '../../../core/errors.ts';
import { parseCoco, isCoco } from './coco.ts';
import { parseGroundTruthManifest, parseLabelsCsv } from './groundTruth.ts';
import { probeImage, type ImageFormat } from './images.ts';
import { indexFolder, resolveSource, type FolderIndex } from './paths.ts';
import { DetectionProblems } from './problems.ts';
import type { LabelRecord, ParsedLabels } from './records.ts';
import type { DetectionImage, DetectionSet } from './types.ts';
import { validateBoxes } from './validate.ts';
import { parseDatasetYaml, parseYoloTxt, yoloLabelPath, yoloStem, yoloToPixels } from './yolo.ts';

export type DetectionLayout = 'groundtruth-csv' | 'groundtruth-manifest' | 'yolo' | 'coco' | 'images';

export interface FolderImage extends DetectionImage {
  /** Absolute path of the file (inside the folder). */
  path: string;
  format: ImageFormat;
  /** From the label file where it has them (Ground Truth's status / event time / job). */
  status?: string;
  eventTime?: number;
  job?: string;
}

export interface DetectionFolder extends DetectionSet {
  images: FolderImage[];
  layout: DetectionLayout;
  /** The label file (or YOLO label folder) read, relative to the folder. */
  labelFile?: string;
}

const MAX_LABEL_BYTES = 256 * 1024 * 1024;

async function text(index: FolderIndex, ref: string): Promise<string> {
  const buf = await readFile(posix.join(index.root, ref));
  if (buf.length > MAX_LABEL_BYTES) throw new AppError('DETECTION_LABELS_INVALID', `${ref} is larger than ${MAX_LABEL_BYTES} bytes.`, { problems: [{ field: ref, problem: 'label file too large', fix: 'Split the set into several folders.' }] });
  return buf.toString('utf8');
}

/** Class names from class_labels.json (Ground Truth: {"labels":[{"label":…}]}) or dataset.yaml, when present. */
async function classFile(index: FolderIndex, problems: DetectionProblems): Promise<string[] | null> {
  if (index.files.has('class_labels.json')) {
    try {
      const doc = JSON.parse(await text(index, 'class_labels.json')) as { labels?: Array<{ label?: unknown }> };
      const names = doc.labels?.map((l) => l.label);
      if (names?.every((n) => typeof n === 'string')) return names as string[];
    } catch { /* reported below */ }
    problems.add('labels', { field: 'class_labels.json', problem: 'class_labels.json is not {"labels": [{"label": "<name>"}, …]}', fix: 'Fix the file or remove it (class ids then name the classes).' });
    return null;
  }
  const yaml = ['dataset.yaml', 'data.yaml'].find((f) => index.files.has(f));
  return yaml ? parseDatasetYaml(await text(index, yaml), yaml, problems) : null;
}

async function readLabels(index: FolderIndex, problems: DetectionProblems): Promise<{ layout: DetectionLayout; labelFile?: string; parsed: ParsedLabels }> {
  const top = [...index.files].filter((f) => !f.includes('/')).sort();
  if (index.files.has('labels.csv')) return { layout: 'groundtruth-csv', labelFile: 'labels.csv', parsed: parseLabelsCsv(await text(index, 'labels.csv'), 'labels.csv', problems) };
  const manifest = top.find((f) => /\.(manifest|jsonl)$/i.test(f));
  if (manifest) return { layout: 'groundtruth-manifest', labelFile: manifest, parsed: parseGroundTruthManifest(await text(index, manifest), manifest, problems) };
  const yaml = ['dataset.yaml', 'data.yaml'].find((f) => index.files.has(f));
  const labelDir = ['labels', 'labels_yolo'].find((d) => [...index.files].some((f) => f.startsWith(`${d}/`) && f.endsWith('.txt')));
  if (yaml && labelDir) return { layout: 'yolo', labelFile: labelDir, parsed: await readYolo(index, labelDir, problems) };
  for (const f of top.filter((n) => /\.json$/i.test(n) && n !== 'class_labels.json')) {
    let doc: unknown;
    try { doc = JSON.parse(await text(index, f)); } catch { continue; }
    if (isCoco(doc)) return { layout: 'coco', labelFile: f, parsed: parseCoco(doc, f, problems) };
  }
  if (index.images.size > 0) return { layout: 'images', parsed: { classes: null, records: [] } };
  throw new AppError('DETECTION_FORMAT_UNKNOWN', 'The folder has no images and no label file Sagebrush reads.', {
    problems: [{ problem: 'no labels.csv, *.manifest, dataset.yaml + labels/, COCO *.json or images', fix: 'Lay the folder out as images/ plus labels.csv (or YOLO labels + dataset.yaml, or a COCO JSON).' }],
  });
}

/** YOLO txt files: labels/<path>.txt for images/<path>.<ext>, or a flat folder matched by file name. */
async function readYolo(index: FolderIndex, labelDir: string, problems: DetectionProblems): Promise<ParsedLabels> {
  const stems = new Map<string, string[]>();
  for (const ref of index.images.keys()) {
    const stem = yoloStem(posix.basename(ref));
    stems.set(stem, [...(stems.get(stem) ?? []), ref]);
  }
  const byLabel = new Map([...index.images.keys()].map((ref) => [yoloLabelPath(ref).replace(/^labels\//, `${labelDir}/`), ref]));
  const records: LabelRecord[] = [];
  for (const f of [...index.files].filter((n) => n.startsWith(`${labelDir}/`) && n.endsWith('.txt')).sort()) {
    const boxes = parseYoloTxt(await text(index, f), f, problems);
    if (!boxes) continue;
    const candidates = byLabel.has(f) ? [byLabel.get(f)!] : (stems.get(posix.basename(f, '.txt')) ?? []);
    if (candidates.length !== 1) {
      problems.add('labels', { field: f, problem: candidates.length === 0 ? `${f} has no image of the same name in the folder` : `${f} matches several images (${candidates.slice(0, 3).join(', ')})`, fix: 'Keep labels/<path>.txt beside images/<path>.jpg (Ultralytics layout), or remove the txt file.' });
      continue;
    }
    records.push({ file: f, row: 1, source: candidates[0]!, boxes, normalized: true });
  }
  return { classes: null, records };
}

export async function readDetectionFolder(dir: string): Promise<DetectionFolder> {
  const problems = new DetectionProblems();
  const index = await indexFolder(dir, problems);
  const { layout, labelFile, parsed } = await readLabels(index, problems);
  const fileClasses = parsed.classes ?? (await classFile(index, problems));
  const maxId = Math.max(-1, ...parsed.records.flatMap((r) => r.boxes.map((b) => b.classId)));
  const classes = fileClasses ?? Array.from({ length: maxId + 1 }, (_, k) => `class_${k}`);
  const labelOf = new Map<string, LabelRecord>();
  for (const rec of parsed.records) {
    const r = rec.normalized ? { ref: rec.source } : resolveSource(rec.source, rec.file, index);
    if (!('ref' in r)) {
      problems.add(r.kind, { row: rec.row, field: rec.file, problem: `${rec.file} row ${rec.row}: ${r.problem}`, fix: r.fix });
      continue;
    }
    const prev = labelOf.get(r.ref);
    if (!prev || (rec.eventTime ?? 0) >= (prev.eventTime ?? 0)) labelOf.set(r.ref, rec); // the latest label wins
  }
  const images: FolderImage[] = [];
  for (const [ref, path] of [...index.images].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const probe = await probeImage(await readFile(path));
    if (!probe.ok) {
      problems.add('image', { field: ref, problem: `${ref} ${probe.problem}`, fix: 'Replace the file with a JPEG, PNG or WebP image, or remove it.' });
      continue;
    }
    const rec = labelOf.get(ref);
    let boxes = rec ? (rec.normalized ? yoloToPixels(rec.boxes, probe.width, probe.height) : rec.boxes) : null;
    if (rec && rec.width !== undefined && rec.height !== undefined && (rec.width !== probe.width || rec.height !== probe.height)) {
      problems.add('labels', { row: rec.row, field: 'image_size', problem: `${rec.file} row ${rec.row} (${ref}): the label says ${rec.width}×${rec.height} but the image is ${probe.width}×${probe.height}`, fix: 'Label the image at its real size (boxes are in its pixels), or replace the image with the one that was labeled.' });
    } else if (rec && boxes) boxes = validateBoxes(boxes, { file: rec.file, row: rec.row, ref, classes, width: probe.width, height: probe.height }, problems);
    images.push({ ref, path, format: probe.format, width: probe.width, height: probe.height, boxes, ...(rec?.status ? { status: rec.status } : {}), ...(rec?.eventTime !== undefined ? { eventTime: rec.eventTime } : {}), ...(rec?.job ? { job: rec.job } : {}) });
  }
  problems.throwIfAny(labelFile ? `${labelFile} in ${dir}` : dir);
  return { classes, images, layout, ...(labelFile ? { labelFile } : {}) };
}
