/**
 * The files of a set's folder and how a label file's image names map onto them. Refs are paths relative to the
 * folder, '/'-separated. Nothing outside the folder is ever read: absolute paths, `..` segments and symbolic links
 * whose target leaves the folder are refused (DETECTION_PATH_UNSAFE). URIs (`s3://bucket/a/b/c.jpg`, as Ground Truth
 * writes them) are matched by their last path segments against the folder's images.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { IMAGE_FILE } from './images.ts';
import type { DetectionProblems } from './problems.ts';

const SKIP = /^(\.|__MACOSX$)/;
const MAX_FILES = 200_000;

export interface FolderIndex {
  root: string;
  /** Image refs → absolute paths (inside the folder, links resolved). */
  images: Map<string, string>;
  /** Every regular file's ref (label files included). */
  files: Set<string>;
  /** Refs of links that point outside the folder (never read). */
  escaping: Set<string>;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

export async function indexFolder(dir: string, problems: DetectionProblems): Promise<FolderIndex> {
  const root = await realpath(dir);
  const index: FolderIndex = { root, images: new Map(), files: new Set(), escaping: new Set() };
  const walk = async (abs: string, ref: string): Promise<void> => {
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (SKIP.test(e.name)) continue;
      const childRef = ref ? `${ref}/${e.name}` : e.name;
      let target = join(abs, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          target = await realpath(target);
        } catch {
          continue; // a dangling link: not a file
        }
        if (!inside(root, target)) {
          index.escaping.add(childRef);
          if (IMAGE_FILE.test(e.name)) problems.add('path', { field: childRef, problem: `${childRef} is a symbolic link to ${target}, outside the folder`, fix: 'Copy the image into the folder instead of linking to it.' });
          continue;
        }
        isDir = (await stat(target)).isDirectory();
      }
      if (isDir) {
        await walk(target, childRef);
        continue;
      }
      if (index.files.size >= MAX_FILES) return;
      index.files.add(childRef);
      if (IMAGE_FILE.test(e.name)) index.images.set(childRef, target);
    }
  };
  await walk(root, '');
  return index;
}

export type Resolved = { ref: string } | { kind: 'path' | 'labels'; problem: string; fix: string };

const URI = /^([a-z][a-z0-9+.-]*):\/\//i;
const FIX_PATH = "Name images by a path relative to the label file's folder (no leading '/', no '..'), or by their s3:// URI.";

/** Maps a label file's image name to a ref of the folder's index. */
export function resolveSource(source: string, labelFile: string, index: FolderIndex): Resolved {
  const scheme = URI.exec(source)?.[1]?.toLowerCase();
  const raw = source.replace(/\\/g, '/');
  if (raw.includes('\0')) return { kind: 'path', problem: 'has a NUL character', fix: FIX_PATH };
  if (scheme === 'file' || (!scheme && (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)))) {
    return { kind: 'path', problem: `"${source}" is an absolute path (outside the folder)`, fix: FIX_PATH };
  }
  const path = scheme ? raw.replace(URI, '').split('/').slice(1).join('/') : raw; // drop the bucket/host
  const segs = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) return { kind: 'path', problem: `"${source}" has a ".." segment (it points outside the folder)`, fix: FIX_PATH };
  if (!scheme) {
    const ref = posix.join(posix.dirname(labelFile), ...segs);
    if (index.escaping.has(ref)) return { kind: 'path', problem: `"${source}" is a symbolic link outside the folder`, fix: 'Copy the image into the folder instead of linking to it.' };
    if (index.images.has(ref)) return { ref };
  }
  // Match by the longest run of trailing segments (s3://b/pipeline/assets/images/x/bad/a.jpg → images/bad/a.jpg).
  const name = segs[segs.length - 1] ?? '';
  let best: string[] = [];
  let bestLen = 0;
  for (const ref of index.images.keys()) {
    const parts = ref.split('/');
    if (parts[parts.length - 1] !== name) continue;
    let n = 0;
    while (n < parts.length && n < segs.length && parts[parts.length - 1 - n] === segs[segs.length - 1 - n]) n++;
    if (n > bestLen) [best, bestLen] = [[ref], n];
    else if (n === bestLen) best.push(ref);
  }
  if (best.length === 1) return { ref: best[0]! };
  if (best.length > 1) return { kind: 'labels', problem: `"${source}" matches several images (${best.slice(0, 3).join(', ')})`, fix: 'Name the image by its path relative to the folder.' };
  if (index.escaping.has(segs.join('/'))) return { kind: 'path', problem: `"${source}" is a symbolic link outside the folder`, fix: 'Copy the image into the folder instead of linking to it.' };
  return { kind: 'labels', problem: `the image "${source}" is not in the folder`, fix: 'Put the image in the folder (e.g. under images/) or remove its row.' };
}
