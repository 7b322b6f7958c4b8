/** Checks one image's boxes against its real size and the class list; each bad box is a problem naming its row. */
import type { DetectionProblems } from './problems.ts';
import type { LabeledBox } from './types.ts';

/** Rounding slack (pixels) for boxes that touch the border after a normalised round trip; such boxes are clamped. */
const EDGE_SLACK = 0.01;

/** Where the boxes come from (for the messages) and what they are checked against. */
export interface BoxContext { file: string; row: number; ref: string; classes: readonly string[]; width: number; height: number }

/** The boxes, clamped by at most EDGE_SLACK to the image; each bad one is reported and left out. */
export function validateBoxes(boxes: readonly LabeledBox[], at: BoxContext, problems: DetectionProblems): LabeledBox[] {
  const where = `${at.file} row ${at.row} (${at.ref})`;
  const add = (field: string, problem: string, fix: string) => problems.add('labels', { row: at.row, field, problem: `${where}: ${problem}`, fix });
  const out: LabeledBox[] = [];
  boxes.forEach((b, i) => {
    const field = `box ${i + 1}`;
    if (!Number.isInteger(b.classId) || b.classId < 0 || b.classId >= at.classes.length) {
      add(`${field}.class_id`, `class id ${b.classId} is not a known class (${at.classes.length} classes: ${at.classes.slice(0, 5).join(', ') || 'none'})`, 'Use a class id from the class list, or add the class (class_labels.json, dataset.yaml names, COCO categories).');
      return;
    }
    if (!(b.w > 0) || !(b.h > 0)) {
      add(field, `the box has zero area (width ${b.w}, height ${b.h})`, 'Give the box a width and height above 0, or delete it.');
      return;
    }
    const W = at.width;
    const H = at.height;
    if (b.x < -EDGE_SLACK || b.y < -EDGE_SLACK || b.x + b.w > W + EDGE_SLACK || b.y + b.h > H + EDGE_SLACK) {
      add(field, `the box (left ${b.x}, top ${b.y}, width ${b.w}, height ${b.h}) lies outside the ${W}×${H} image`, `Keep left + width ≤ ${W} and top + height ≤ ${H}, with left and top ≥ 0.`);
      return;
    }
    const x = Math.max(0, b.x);
    const y = Math.max(0, b.y);
    out.push({ classId: b.classId, x, y, w: Math.min(b.w, W - x), h: Math.min(b.h, H - y) });
  });
  return out;
}
