/** Test helpers for the detection domain: is torch here, and a small metal-tags subset folder. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METAL_TAGS } from './formats/testing.ts';

/** Debian's torch (or SAGEBRUSH_PYTHON's): tests that train or export skip without it, saying why. */
export const HAS_TORCH = [process.env.SAGEBRUSH_PYTHON, 'python3', '/usr/bin/python3'].some((p) => !!p && spawnSync(p, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0);
export const NO_TORCH_MESSAGE = 'skipped: no Python with torch (apt-get install python3-torch python3-torchvision)';
export const HAS_METAL_TAGS = existsSync(join(METAL_TAGS, 'labels.csv'));
export { METAL_TAGS };

/** A folder with the first `n` labeled images of metal-tags and their labels.csv rows (Ground Truth layout). */
export function metalTagsSubset(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sagebrush-det-sub-'));
  const lines = readFileSync(join(METAL_TAGS, 'labels.csv'), 'utf8').split('\n');
  const rows = lines.slice(1).filter((l) => l.trim()).slice(0, n);
  mkdirSync(join(dir, 'images', 'bad'), { recursive: true });
  mkdirSync(join(dir, 'images', 'good'), { recursive: true });
  for (const row of rows) {
    const m = /\/(bad|good)\/([^,/]+\.jpg),/.exec(row);
    if (m) copyFileSync(join(METAL_TAGS, 'images', m[1]!, m[2]!), join(dir, 'images', m[1]!, m[2]!));
  }
  writeFileSync(join(dir, 'labels.csv'), `${[lines[0], ...rows].join('\n')}\n`);
  copyFileSync(join(METAL_TAGS, 'class_labels.json'), join(dir, 'class_labels.json'));
  return dir;
}
