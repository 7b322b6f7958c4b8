/**
 * Temp files a killed process leaves in the local artifact folder. FsArtifactStore.put writes
 * `<dir>/.sb-tmp-<name>.<random>` and renames it over the key; a kill -9 mid-write leaves the temp file,
 * which list()/deletePrefix() skip by design, so nothing else ever removes it. Object stores (S3) have none.
 */
import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';

/** Same mark as FsArtifactStore's temp names (src/storage/artifacts/fs.ts). */
const TEMP_MARK = '.sb-tmp-';

function rootOf(artifacts: ArtifactStore): string | undefined {
  const root = (artifacts as { root?: unknown }).root;
  return artifacts.kind === 'file' && typeof root === 'string' ? root : undefined;
}

/**
 * Deletes temp files under `prefix` (a folder key such as `datasets/ds_1/v2/`; '' for everything), only
 * those last written before `olderThan` when given. Empty folders left behind are removed. Returns the count.
 */
export async function removeTempFiles(artifacts: ArtifactStore, prefix: string, options: { olderThan?: Date } = {}): Promise<number> {
  const root = rootOf(artifacts);
  if (!root) return 0;
  const start = join(root, ...prefix.split('/').filter(Boolean));
  return sweep(start, start !== root, options.olderThan);
}

async function sweep(dir: string, pruneSelf: boolean, olderThan: Date | undefined): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // gone or unreadable: nothing to do here
  }
  let removed = 0;
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) removed += await sweep(full, true, olderThan);
    else if (e.isFile() && e.name.startsWith(TEMP_MARK)) {
      const s = olderThan ? await stat(full).catch(() => undefined) : undefined;
      if (olderThan && (!s || s.mtimeMs >= olderThan.getTime())) continue; // still being written, or already gone
      await unlink(full).then(() => removed++, () => {});
    }
  }
  if (pruneSelf && removed > 0) await rmdir(dir).catch(() => {}); // only succeeds when empty
  return removed;
}
