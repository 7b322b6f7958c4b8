/**
 * Collects every bad row of a detection label set before failing, so one error names them all. The code follows the
 * most serious kind found: a path outside the folder, then an unreadable image, then invalid labels.
 */
import { AppError, type Problem } from '../../../core/errors.ts';

export type ProblemKind = 'path' | 'image' | 'labels';

const MAX_LISTED = 50;
const CODE = { path: 'DETECTION_PATH_UNSAFE', image: 'DETECTION_IMAGE_UNREADABLE', labels: 'DETECTION_LABELS_INVALID' } as const;

export class DetectionProblems {
  private readonly found: Array<{ kind: ProblemKind; problem: Problem }> = [];

  add(kind: ProblemKind, problem: Problem): void {
    this.found.push({ kind, problem });
  }

  get count(): number {
    return this.found.length;
  }

  /** Throws one AppError listing the problems (at most 50; the message gives the total). */
  throwIfAny(what: string): void {
    if (this.found.length === 0) return;
    const kind = (['path', 'image', 'labels'] as const).find((k) => this.found.some((f) => f.kind === k))!;
    const ordered = [...this.found.filter((f) => f.kind === kind), ...this.found.filter((f) => f.kind !== kind)];
    const first = ordered[0]!.problem;
    const where = first.row !== undefined ? `row ${first.row}${first.field ? ` (${first.field})` : ''}` : (first.field ?? '');
    const more = this.found.length > 1 ? ` (and ${this.found.length - 1} more problem${this.found.length > 2 ? 's' : ''})` : '';
    throw new AppError(CODE[kind], `${what}: ${where ? `${where}: ` : ''}${first.problem}${more}. Nothing was imported.`, {
      problems: ordered.slice(0, MAX_LISTED).map((f) => f.problem),
      extra: { problemCount: this.found.length },
    });
  }
}
