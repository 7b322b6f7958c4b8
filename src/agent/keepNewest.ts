/**
 * Bounded disk on the device: the processed, rejected and annotated folders keep only their newest `keep` files.
 * Files added are counted in memory, so a folder is listed and pruned only once it really holds more than `keep`
 * (not on every image, and not only every N inferences — that let a folder hold up to keep + N files).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class KeepNewest {
  private readonly counts = new Map<string, number>();

  constructor(private readonly keep: number) {}

  /** One file was written into `dir`. */
  added(dir: string): void {
    const n = this.counts.get(dir);
    // first sight of a folder: list it once (the new file and any left from an earlier run included)
    this.counts.set(dir, n === undefined ? list(dir).length : n + 1);
  }

  /** Deletes the oldest files of every folder over its bound; returns how many were deleted. */
  prune(): number {
    let removed = 0;
    for (const [dir, n] of this.counts) {
      if (n <= this.keep) continue;
      removed += pruneDir(dir, this.keep);
      this.counts.set(dir, list(dir).length);
    }
    return removed;
  }
}

function pruneDir(dir: string, keep: number): number {
  const files: Array<{ f: string; t: number }> = [];
  for (const f of list(dir)) {
    try {
      files.push({ f, t: statSync(join(dir, f)).mtimeMs });
    } catch {
      // deleted meanwhile
    }
  }
  files.sort((a, b) => b.t - a.t || (a.f < b.f ? 1 : -1));
  const old = files.slice(keep);
  for (const { f } of old) rmSync(join(dir, f), { force: true });
  return old.length;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // a missing folder holds nothing
  }
}
