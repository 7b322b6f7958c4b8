/**
 * SageMaker Ground Truth bounding boxes: the augmented manifest (JSON Lines: `source-ref`, a label attribute with
 * `annotations[{class_id,left,top,width,height}]` and `image_size`, and `<attribute>-metadata` with the `class-map`),
 * and the sample's `labels.csv` export (source_ref, image_width, image_height, image_depth, annotations, event_time,
 * labeling_job, status — annotations written as a Python list of dicts, with single quotes).
 */
import { parse } from 'csv-parse/sync';
import type { DetectionSet } from './types.ts';
import type { DetectionProblems } from './problems.ts';
import { eventTimeMs, gtBox, num, type LabelRecord, type ParsedLabels } from './records.ts';

const CSV_COLUMNS = ['source_ref', 'annotations'];

export function parseLabelsCsv(text: string, file: string, problems: DetectionProblems): ParsedLabels {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof rows;
  } catch (err) {
    problems.add('labels', { field: file, problem: `${file} is not a readable CSV (${(err as Error).message})`, fix: 'Export the labels again as CSV with a header row.' });
    return { classes: null, records: [] };
  }
  const header = (rows[0]?.record ?? []).map((h) => h.trim());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    problems.add('labels', { row: 1, field: missing.join(', '), problem: `${file} has no ${missing.join(' / ')} column`, fix: `Use the Ground Truth export's header: ${['source_ref', 'image_width', 'image_height', 'image_depth', 'annotations', 'event_time', 'labeling_job', 'status'].join(',')}.` });
    return { classes: null, records: [] };
  }
  const col = (r: string[], name: string) => { const i = header.indexOf(name); return i < 0 ? undefined : r[i]?.trim(); };
  const records: LabelRecord[] = [];
  for (const { record, info } of rows.slice(1)) {
    const row = info.lines;
    const source = col(record, 'source_ref') ?? '';
    if (source === '') {
      problems.add('labels', { row, field: 'source_ref', problem: `${file} row ${row}: source_ref is empty`, fix: 'Name the image (a path relative to the folder, or its s3:// URI).' });
      continue;
    }
    let anns: unknown;
    try {
      anns = JSON.parse((col(record, 'annotations') ?? '').replace(/'/g, '"'));
    } catch {
      anns = undefined;
    }
    if (!Array.isArray(anns)) {
      problems.add('labels', { row, field: 'annotations', problem: `${file} row ${row}: annotations is not a list of boxes`, fix: "Write annotations as [{'class_id': 0, 'top': …, 'left': …, 'height': …, 'width': …}] ([] for an image without boxes)." });
      continue;
    }
    const boxes = anns.map((a) => gtBox(a, { file, row, field: 'annotations' }, problems));
    if (boxes.includes(null)) continue;
    records.push({
      file, row, source, boxes: boxes as NonNullable<(typeof boxes)[number]>[],
      width: num(col(record, 'image_width')), height: num(col(record, 'image_height')),
      status: col(record, 'status') || undefined, eventTime: eventTimeMs(col(record, 'event_time')), job: col(record, 'labeling_job') || undefined,
    });
  }
  return { classes: null, records };
}

/** The label attribute of a manifest line: the key K with an object K.annotations and (usually) K-metadata. */
function labelAttribute(line: Record<string, unknown>): string | undefined {
  const keys = Object.keys(line).filter((k) => !k.endsWith('-metadata') && Array.isArray((line[k] as { annotations?: unknown } | null)?.annotations));
  return keys.find((k) => `${k}-metadata` in line) ?? keys[0];
}

export function parseGroundTruthManifest(text: string, file: string, problems: DetectionProblems): ParsedLabels {
  const classMap = new Map<number, string>();
  const records: LabelRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const row = i + 1;
    if (raw.trim() === '') return;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
      if (typeof line !== 'object' || line === null || Array.isArray(line)) throw new Error('not an object');
    } catch {
      problems.add('labels', { row, problem: `${file} line ${row} is not a JSON object`, fix: 'Write one JSON object per line (an augmented manifest).' });
      return;
    }
    const source = line['source-ref'];
    if (typeof source !== 'string' || source === '') {
      problems.add('labels', { row, field: 'source-ref', problem: `${file} line ${row} has no source-ref`, fix: 'Give every line a "source-ref" naming its image.' });
      return;
    }
    const attr = labelAttribute(line);
    if (!attr) return; // a line without labels: the image stays unlabeled
    const label = line[attr] as { annotations: unknown[]; image_size?: Array<{ width?: unknown; height?: unknown }> };
    const meta = (line[`${attr}-metadata`] ?? {}) as Record<string, unknown>;
    for (const [id, name] of Object.entries((meta['class-map'] ?? {}) as Record<string, unknown>)) {
      if (num(id) !== undefined && typeof name === 'string') classMap.set(num(id)!, name);
    }
    const boxes = label.annotations.map((a) => gtBox(a, { file, row, field: `${attr}.annotations` }, problems));
    if (boxes.includes(null)) return;
    const size = label.image_size?.[0];
    records.push({
      file, row, source, boxes: boxes as NonNullable<(typeof boxes)[number]>[],
      width: num(size?.width), height: num(size?.height),
      eventTime: eventTimeMs(meta['creation-date']), job: typeof meta['job-name'] === 'string' ? meta['job-name'] : undefined,
    });
  });
  const classes = classMap.size === 0 ? null : Array.from({ length: Math.max(...classMap.keys()) + 1 }, (_, k) => classMap.get(k) ?? `class_${k}`);
  return { classes, records };
}

/** One manifest line per labeled image; `source-ref` is the image's ref (relative to the manifest's folder). */
export function writeGroundTruthManifest(set: DetectionSet, attribute = 'bounding-box', jobName = 'labeling-job/sagebrush-export'): string {
  const classMap = Object.fromEntries(set.classes.map((c, i) => [String(i), c]));
  return set.images.filter((im) => im.boxes !== null).map((im) => JSON.stringify({
    'source-ref': im.ref,
    [attribute]: {
      image_size: [{ width: im.width, height: im.height, depth: 3 }],
      annotations: im.boxes!.map((b) => ({ class_id: b.classId, left: b.x, top: b.y, width: b.w, height: b.h })),
    },
    [`${attribute}-metadata`]: { objects: im.boxes!.map(() => ({ confidence: 1 })), 'class-map': classMap, type: 'groundtruth/object-detection', 'human-annotated': 'yes', 'job-name': jobName },
  })).join('\n') + '\n';
}
