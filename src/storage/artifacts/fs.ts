/**
 * Artifact store on a local folder. Writes go to a temp file in the target's own directory, are
 * fsynced, then renamed over the key: rename is atomic on one filesystem, so readers never see a
 * partial object and a crash leaves at most a stray temp file (skipped by list).
 */
import { mkdir, open, readFile, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { checkKey, checkPrefix, isNotFound, notFound } from './keys.ts';
import type { ArtifactInfo, ArtifactStore } from './types.ts';

const TEMP_MARK = '.sb-tmp-';

export class FsArtifactStore implements ArtifactStore {
  readonly kind = 'file' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  private info(key: string, size: number, mtime: Date): ArtifactInfo {
    return { key, size, modifiedAt: mtime.toISOString() };
  }

  async put(key: string, body: Buffer | string | Readable): Promise<ArtifactInfo> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    const tmp = join(dir, `${TEMP_MARK}${basename(path)}.${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx').catch(async (err) => {
      // A concurrent deletePrefix may have pruned the directory between mkdir and open.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      return open(tmp, 'wx');
    });
    try {
      try {
        if (typeof body === 'string' || Buffer.isBuffer(body)) await fh.writeFile(body);
        else for await (const chunk of body) await fh.write(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
      throw err;
    }
    await syncDir(dir);
    const s = await stat(path);
    return this.info(key, s.size, s.mtime);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if (isNotFound(err)) throw notFound(key);
      throw err;
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    // Open first so a missing key is an error here, not an 'error' event on the stream later.
    const fh = await open(path, 'r').catch((err) => {
      throw isNotFound(err) ? notFound(key) : err;
    });
    const s = await fh.stat();
    if (!s.isFile()) {
      await fh.close();
      throw notFound(key);
    }
    return fh.createReadStream() as unknown as Readable;
  }

  async stat(key: string): Promise<ArtifactInfo | undefined> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? this.info(key, s.size, s.mtime) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (checkPrefix(prefix) === '') throw new AppError('BAD_REQUEST', 'Refusing to delete every artifact: give a non-empty prefix');
    const items = await this.list(prefix);
    for (const item of items) await this.delete(item.key);
    await this.pruneEmptyDirs(this.walkStart(prefix));
    return items.length;
  }

  async list(prefix: string): Promise<ArtifactInfo[]> {
    checkPrefix(prefix);
    const out: ArtifactInfo[] = [];
    await this.walk(this.walkStart(prefix), prefix, out);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async localPath(key: string): Promise<string> {
    const path = this.pathOf(key);
    if (!(await this.exists(key))) throw notFound(key);
    return path;
  }

  async close(): Promise<void> {}

  /** The deepest directory that can hold keys starting with `prefix`. */
  private walkStart(prefix: string): string {
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    return dirPart ? join(this.root, ...dirPart.split('/')) : this.root;
  }

  private async walk(dir: string, prefix: string, out: ArtifactInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      const key = relative(this.root, full).split(sep).join('/');
      if (e.isDirectory()) {
        // Only descend where keys could still match the prefix.
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) await this.walk(full, prefix, out);
      } else if (e.isFile() && !e.name.startsWith(TEMP_MARK) && key.startsWith(prefix)) {
        const s = await stat(full).catch(() => undefined);
        if (s) out.push(this.info(key, s.size, s.mtime));
      }
    }
  }

  private async pruneEmptyDirs(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await this.pruneEmptyDirs(join(dir, e.name));
    if (dir !== this.root) await rmdir(dir).catch(() => {});
  }
}

/** Makes the rename itself durable; best effort (not every filesystem allows fsync on a directory). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => {});
  await fh.close();
}
