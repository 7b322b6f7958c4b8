/**
 * A CSV manifest on the user's disk (`path` column + labels/groups): each path may be absolute or relative to the
 * manifest's folder, the usual ways to list files. Before packing, every row is resolved to a real file and given
 * a name inside the zip — its path under the packed folder when it lies there, else `_files/<n>/<parent>/<name>`
 * (the parent folder is kept so a manifest without a label column still gets its folder label) — and the manifest
 * is rewritten with those names. Rows naming a missing file or a folder are refused together, each with its row
 * and path, instead of being dropped. (Inside an uploaded zip, absolute and `..` paths stay refused:
 * datasets/formats/zip-manifest.ts.)
 */
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AppError, type Problem } from '../../core/errors.ts';

export interface LocalManifestFile {
  /** Name inside the zip (forward slashes, never absolute or `..`). */
  name: string;
  /** Where it is on disk. */
  source: string;
}

export interface LocalManifest {
  /** The manifest with its `path` cells replaced by the zip names. */
  body: string;
  files: LocalManifestFile[];
}

const MAX_LISTED = 20;

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows of a CSV with a `path` column, or null when it is not such a manifest. */
export function parseManifest(body: Buffer | string): { rows: string[][]; pathCol: number } | null {
  let rows: string[][];
  try {
    rows = parse(body, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch {
    return null;
  }
  const pathCol = (rows[0] ?? []).map((h) => h.trim()).indexOf('path');
  return pathCol < 0 ? null : { rows, pathCol };
}

/**
 * @param manifestPath where the manifest is (relative paths are resolved against its folder)
 * @param root the folder being packed: files under it keep their relative path in the zip
 */
export function resolveLocalManifest(manifestPath: string, body: Buffer | string, root: string): LocalManifest {
  const parsed = parseManifest(body);
  if (!parsed) throw new AppError('VALIDATION_FAILED', `${manifestPath} is not a CSV manifest with a "path" column.`, { problems: [{ field: 'path', problem: 'no "path" column', fix: 'Add a header row with a "path" column.' }] });
  const { rows, pathCol } = parsed;
  const base = dirname(resolve(manifestPath));
  const absRoot = resolve(root);
  const outside = new Map<string, number>();
  const names = new Map<string, string>();
  const files: LocalManifestFile[] = [];
  const problems: Problem[] = [];
  let refused = 0;
  const out = rows.map((r, i) => {
    const raw = (r[pathCol] ?? '').trim();
    if (i === 0 || raw === '') return r; // the header; an empty path is reported by the import
    const row = i + 1;
    // A Windows manifest may use backslashes; on POSIX a backslash is a legal file-name character, so keep the
    // path as written when that file exists.
    const abs = isAbsolute(raw) ? resolve(raw) : resolve(base, raw);
    const alt = resolve(base, raw.replace(/\\/g, '/'));
    const source = exists(abs) !== 'missing' || sep === '\\' ? abs : alt;
    const kind = exists(source);
    if (kind !== 'file') {
      refused++;
      if (problems.length < MAX_LISTED) {
        problems.push({
          row,
          field: 'path',
          problem: kind === 'missing' ? `row ${row}: "${raw}" does not exist (looked at ${source})` : `row ${row}: "${raw}" is a folder, not an image file`,
          fix: isAbsolute(raw) ? 'Fix the path or remove the row.' : `Fix the path (relative paths are read from the manifest's folder, ${base}) or use an absolute path.`,
        });
      }
      return r;
    }
    let name = names.get(source);
    if (!name) {
      const rel = relative(absRoot, source);
      if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) name = rel.split(sep).join('/');
      else {
        const parent = dirname(source);
        if (!outside.has(parent)) outside.set(parent, outside.size + 1);
        name = `_files/${outside.get(parent)}/${basename(parent) || 'root'}/${basename(source)}`;
      }
      names.set(source, name);
      files.push({ name, source });
    }
    const copy = [...r];
    copy[pathCol] = name;
    return copy;
  });
  if (refused > 0) {
    throw new AppError('IMAGE_MANIFEST_PATHS', `${manifestPath}: ${refused} row${refused === 1 ? '' : 's'} name${refused === 1 ? 's' : ''} a file that cannot be used${refused > MAX_LISTED ? ` (the first ${MAX_LISTED} are listed)` : ''}.`, { problems });
  }
  return { body: `${out.map((r) => r.map(csvField).join(',')).join('\n')}\n`, files };
}

function exists(p: string): 'file' | 'dir' | 'missing' {
  try {
    const s = statSync(p);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'missing';
  } catch {
    return 'missing';
  }
}
