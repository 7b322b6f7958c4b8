/**
 * Validation helpers shared by the readers and the service: problem collection with caps, header
 * detection and normalisation, dataset names and safe artifact file names.
 */
import { AppError, type ErrorCode, type Problem } from '../../core/errors.ts';

/** Collects errors (until `maxErrors`, then the import stops) and warnings (kept up to `maxWarnings`). */
export class ProblemCollector {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  private droppedWarnings = 0;
  errorCount = 0;

  constructor(private readonly maxErrors: number, private readonly maxWarnings: number) {}

  error(p: Omit<Problem, 'severity'>): void {
    this.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push({ ...p, severity: 'error' });
  }

  warn(p: Omit<Problem, 'severity'>): void {
    if (this.warnings.length < this.maxWarnings) this.warnings.push({ ...p, severity: 'warning' });
    else this.droppedWarnings++;
  }

  get full(): boolean {
    return this.errorCount >= this.maxErrors;
  }

  /** Throws the collected errors as one AppError whose message quotes the first problem. */
  throwIfErrors(code: ErrorCode, what: string): void {
    if (this.errors.length === 0) return;
    const first = this.errors[0];
    const more =
      this.errorCount <= 1 ? '' : this.full ? ` (stopped after ${this.errorCount} problems; all are listed)` : ` (${this.errorCount} problems, all listed)`;
    throw new AppError(code, `${what}: ${describe(first)}${more}. Fix: ${first.fix}`, { problems: this.errors });
  }

  finalWarnings(): Problem[] {
    if (this.droppedWarnings === 0) return this.warnings;
    return [...this.warnings, { severity: 'warning', problem: `${this.droppedWarnings} more warnings not listed`, fix: 'Fix the listed warnings and re-upload to see the rest.' }];
  }
}

export function describe(p: Problem): string {
  const where = [p.row !== undefined ? `row ${p.row}` : '', p.field !== undefined ? `field "${p.field}"` : ''].filter(Boolean).join(', ');
  return where ? `${where}: ${p.problem}` : p.problem;
}

const HEADER_CELL = /^[\p{L}_][\p{L}\p{N} _.\-()/#%:]*$/u;

/**
 * Whether the first sampled row is a header: every cell is a short identifier-like name, names are
 * distinct, and no name reappears as a value in its own column (labels repeat; headers do not).
 */
export function looksLikeHeader(rows: string[][], options: { allowDuplicates?: boolean } = {}): boolean {
  const [first, ...rest] = rows;
  if (!first || first.length === 0) return false;
  const names = first.map((c) => c.replace(/^\uFEFF/, '').trim());
  if (names.some((n) => n.length === 0 || n.length > 64 || !HEADER_CELL.test(n))) return false;
  if (!options.allowDuplicates && new Set(names).size !== names.length) return false;
  for (let j = 0; j < names.length; j++) {
    if (rest.some((r) => (r[j] ?? '').trim() === names[j])) return false;
  }
  return true;
}

/**
 * CSV_DUPLICATE_HEADER when two header cells have the same (trimmed, non-empty) name: columns are chosen by name
 * (text column, label columns), so a second "text" would silently shadow or be shadowed by the first.
 */
export function duplicateHeaderError(raw: string[], fileName: string): AppError | undefined {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  raw.forEach((cell, i) => {
    const name = cell.replace(/^\uFEFF/, '').trim();
    if (!name) return;
    const at = first.get(name);
    if (at === undefined) first.set(name, i + 1);
    else problems.push({ row: 1, field: name, problem: `header columns ${at} and ${i + 1} are both named "${name}"`, fix: `Rename column ${i + 1} (e.g. "${name}_${i + 1}") or remove the duplicate column, so every column has a distinct name.` });
  });
  if (problems.length === 0) return undefined;
  const names = [...new Set(problems.map((p) => `"${p.field}"`))].join(', ');
  return new AppError('CSV_DUPLICATE_HEADER', `${fileName}: the header names ${names} more than once; columns are picked by name, so each name must be unique. Nothing was stored.`, { problems });
}

/** Header names: trimmed; empty ones become `column_<n>`; duplicates get `_2`, `_3`… (with a warning each). */
export function normaliseHeader(raw: string[], problems: ProblemCollector): string[] {
  const seen = new Set<string>();
  return raw.map((cell, i) => {
    let name = cell.trim();
    if (!name) {
      name = `column_${i + 1}`;
      problems.warn({ row: 1, field: name, problem: `header cell ${i + 1} is empty; named it "${name}"`, fix: 'Give every column a name in the header row.' });
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) k++;
      problems.warn({ row: 1, field: name, problem: `column name "${name}" appears twice; renamed column ${i + 1} to "${name}_${k}"`, fix: 'Give every column a distinct name.' });
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}

export function genericColumns(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `column_${i + 1}`);
}

export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/**
 * The shape of a dataset (version) id: `ds_`/`dsv_` + the id alphabet of src/core/ids.ts (lower-case base36 and
 * hex). Datasets are looked up by id or name, id first, so a name of this shape would be hidden by (or hide)
 * a dataset whose id it is.
 */
const ID_LIKE = /^dsv?_[0-9a-z]+$/;

/** Throws VALIDATION_FAILED unless `name` is a valid dataset name. */
export function checkDatasetName(name: string): string {
  if (ID_LIKE.test(name)) {
    throw new AppError('VALIDATION_FAILED', `Invalid dataset name "${name}": it has the shape of a dataset id, and datasets are looked up by id or name.`, {
      problems: [{ field: 'name', problem: 'looks like a dataset id (ds_ or dsv_ followed only by lower-case letters and digits)', fix: 'Pick a name that does not start with "ds_" or "dsv_", e.g. "toxic-comments"; to add a version to an existing dataset, upload with its name.' }],
    });
  }
  if (!DATASET_NAME.test(name)) {
    throw new AppError('VALIDATION_FAILED', `Invalid dataset name "${name}".`, {
      problems: [{ field: 'name', problem: 'must be 1-100 characters of letters, digits, ".", "_" or "-", starting with a letter or digit', fix: 'Pick a name such as "toxic-comments" or "ham10000_v2".' }],
    });
  }
  return name;
}

/** A dataset name derived from a file name (`Toxic Comments (1).csv` → `Toxic-Comments-1`). */
export function nameFromFileName(fileName: string): string {
  const stem = baseName(fileName).replace(/\.[A-Za-z0-9]{1,8}$/, '');
  const name = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[._-]+/, '').replace(/-+$/, '').slice(0, 100);
  return name && !ID_LIKE.test(name) ? name : 'dataset';
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? '';
}

/** A file name safe as the last segment of an artifact key: no separators, no leading dots. */
export function safeFileName(fileName: string): string {
  const base = baseName(fileName).normalize('NFC');
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(base)?.[0] ?? '';
  const stem = base.slice(0, base.length - ext.length).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 100);
  return `${stem || 'upload'}${ext.toLowerCase()}`;
}
