/**
 * The checkpoints a run left on disk (`outDir/checkpoints/step-NNNNNN`, `latest` naming the newest; the trainer
 * writes each to a temp dir and renames it, so a listed directory is complete). Listed from the disk, not from
 * metrics.jsonl, so a checkpoint removed by hand is not offered for export.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CheckpointInfo { step: number; name: string; path: string; latest: boolean; bytes: number; createdAt: string }

const STEP_DIR = /^step-(\d+)$/;

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : e.isFile() ? statSync(join(dir, e.name)).size : 0;
  return n;
}

/** `latest` is a symlink or a file holding the directory name; either way the name of a step dir. */
function latestName(root: string): string | null {
  const p = join(root, 'latest');
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return null;
    if (st.isFile()) return readFileSync(p, 'utf8').trim().split('/').pop() ?? null;
    if (st.isDirectory()) return readdirSync(root).find((n) => STEP_DIR.test(n) && statSync(join(root, n)).ino === st.ino) ?? null;
  } catch {
    return null;
  }
  return null;
}

export function listCheckpoints(outDir: string): CheckpointInfo[] {
  const root = join(outDir, 'checkpoints');
  if (!existsSync(root)) return [];
  const latest = latestName(root);
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && STEP_DIR.test(e.name))
    .map((e) => {
      const path = join(root, e.name);
      return { step: Number(STEP_DIR.exec(e.name)![1]), name: e.name, path, latest: e.name === latest, bytes: dirBytes(path), createdAt: statSync(path).mtime.toISOString() };
    })
    .sort((a, b) => a.step - b.step);
}
