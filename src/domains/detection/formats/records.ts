/** What a label file says about one image, before its path is resolved and its boxes are checked against the image. */
import type { LabeledBox } from './types.ts';
import type { DetectionProblems } from './problems.ts';

export interface LabelRecord {
  /** The label file (relative to the set's folder) and the 1-based line of the record in it. */
  file: string;
  row: number;
  /** The image as the file names it: a relative path, or a URI (`s3://…`) matched by its last path segments. */
  source: string;
  boxes: LabeledBox[];
  /** YOLO: boxes are in units of the image size until the image is read. */
  normalized?: boolean;
  /** The size the file declares (checked against the image). */
  width?: number;
  height?: number;
  status?: string;
  /** Epoch milliseconds. */
  eventTime?: number;
  job?: string;
  labeler?: string;
}

export interface ParsedLabels { classes: string[] | null; records: LabelRecord[] }

/** A finite number from a JSON value, or undefined. */
export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Reads one `{class_id, left, top, width, height}` annotation (Ground Truth's keys), reporting what is missing. */
export function gtBox(a: unknown, at: { file: string; row: number; field: string }, problems: DetectionProblems): LabeledBox | null {
  const o = (a ?? {}) as Record<string, unknown>;
  const vals = { class_id: num(o.class_id), left: num(o.left), top: num(o.top), width: num(o.width), height: num(o.height) };
  const missing = Object.entries(vals).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0 || typeof a !== 'object' || a === null) {
    problems.add('labels', { row: at.row, field: at.field, problem: `${at.file} row ${at.row}: the annotation has no numeric ${missing.join(', ')}`, fix: 'Give every annotation numeric class_id, left, top, width and height (pixels).' });
    return null;
  }
  return { classId: vals.class_id!, x: vals.left!, y: vals.top!, w: vals.width!, h: vals.height! };
}

/** Event times: epoch seconds (Ground Truth's labels.csv), epoch milliseconds, or ISO-8601. */
export function eventTimeMs(v: unknown): number | undefined {
  const n = num(v);
  if (n !== undefined) return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
