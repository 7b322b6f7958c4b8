/**
 * Checks the boxes a labeler or verifier saves against the image and the job's classes. Every problem is collected
 * (field `boxes[i].x`, …) with its fix, so the editor can show them all at once; nothing is stored when any is found.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import type { LabeledBox } from '../detection/formats/types.ts';

/** Rounding slack: the editor works in CSS pixels scaled to the image, so an edge may land a hair outside. */
const EPS = 1e-6;

export function boxProblems(boxes: LabeledBox[], size: { width: number; height: number }, classes: string[]): Problem[] {
  const problems: Problem[] = [];
  boxes.forEach((b, i) => {
    const at = `boxes[${i}]`;
    if (!Number.isInteger(b.classId) || b.classId < 0 || b.classId >= classes.length) {
      problems.push({ field: `${at}.classId`, problem: `unknown class ${b.classId}`, fix: `Use a class id from 0 to ${classes.length - 1} (${classes.map((c, k) => `${k} = ${c}`).join(', ')}).` });
    }
    if (!(b.w > 0) || !(b.h > 0)) {
      problems.push({ field: `${at}.${b.w > 0 ? 'h' : 'w'}`, problem: `zero area (w ${b.w}, h ${b.h})`, fix: 'Draw the box with a width and a height of at least one pixel, or delete it.' });
    }
    const outside = [
      b.x < -EPS ? `x ${b.x} < 0` : null,
      b.y < -EPS ? `y ${b.y} < 0` : null,
      b.x + b.w > size.width + EPS ? `x + w = ${b.x + b.w} > image width ${size.width}` : null,
      b.y + b.h > size.height + EPS ? `y + h = ${b.y + b.h} > image height ${size.height}` : null,
    ].filter((s): s is string => s !== null);
    if (outside.length > 0) {
      const field = b.x < -EPS || b.x + b.w > size.width + EPS ? `${at}.x` : `${at}.y`;
      problems.push({ field, problem: `outside the image (${outside.join('; ')})`, fix: `Keep the box inside the ${size.width}×${size.height} image.` });
    }
  });
  return problems;
}

export function checkBoxes(boxes: LabeledBox[], size: { width: number; height: number }, classes: string[], ref: string): LabeledBox[] {
  const problems = boxProblems(boxes, size, classes);
  if (problems.length > 0) {
    throw new AppError('LABELING_BOXES_INVALID', `${problems.length} box problem(s) on image "${ref}": ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}. Nothing was stored.`, { problems });
  }
  return boxes.map((b) => ({ classId: b.classId, x: b.x, y: b.y, w: b.w, h: b.h }));
}
