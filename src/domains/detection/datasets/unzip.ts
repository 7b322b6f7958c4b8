/**
 * A zip upload of a detection set, extracted into a private temp folder so readDetectionFolder can read it. The entry
 * checks are the dataset archives' (datasets/formats/zip.ts: openZip, entryPath, unsafePath, isSymlink,
 * archiveUnsafe): absolute paths, `..` segments and symlinks are refused before anything is written, the number of
 * entries is capped and inflated bytes
 * are counted against maxArchiveBytes as they stream (a lying header cannot bomb us). A zip holding one top folder
 * (`metal-tags/images/…`) is read from inside that folder.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Entry } from 'yauzl';
import { AppError } from '../../../core/errors.ts';
import { archiveUnsafe, entryPath, isSymlink, openZip, unsafePath } from '../../datasets/formats/zip.ts';

const MAX_ENTRIES = 200_000;
const SYSTEM_FILE = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$)/i;

const UNSAFE_WORDING = { outcome: 'Nothing was imported.', fix: 'Zip the folder with relative paths only (e.g. `cd metal-tags && zip -r ../set.zip .`), without symlinks, and keep it under SAGEBRUSH_MAX_ARCHIVE_BYTES uncompressed.' };
const unsafe = (fileName: string, entry: string, problem: string): AppError => archiveUnsafe(fileName, entry, problem, UNSAFE_WORDING);

/** Extracts the zip; returns the folder to read and a cleanup function (always call it). */
export async function extractZip(zipPath: string, fileName: string, maxBytes: number): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'sagebrush-detection-'));
  const cleanup = () => rm(root, { recursive: true, force: true });
  try {
    const zip = await openZip(zipPath, fileName);
    let inflated = 0;
    const seen = new Set<string>();
    try {
      if (zip.entryCount > MAX_ENTRIES) throw unsafe(fileName, '(archive)', `has ${zip.entryCount} entries; at most ${MAX_ENTRIES} are accepted`);
      for await (const entry of zip.eachEntry() as AsyncIterable<Entry>) {
        const path = entryPath(entry);
        const why = unsafePath(path);
        if (why) throw unsafe(fileName, path, why);
        if (isSymlink(entry)) throw unsafe(fileName, path, 'is a symbolic link');
        if (path.endsWith('/') || SYSTEM_FILE.test(path)) continue;
        const key = path.split('/').filter((s) => s !== '' && s !== '.').join('/');
        if (seen.has(key)) throw unsafe(fileName, path, 'appears twice in the archive (duplicate entry name)');
        seen.add(key);
        if (inflated + entry.uncompressedSize > maxBytes) throw unsafe(fileName, path, `brings the uncompressed size over the limit of ${maxBytes} bytes`);
        const target = join(root, ...key.split('/'));
        await mkdir(dirname(target), { recursive: true });
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            inflated += chunk.length;
            if (inflated > maxBytes) return done(unsafe(fileName, path, `inflates over the limit of ${maxBytes} bytes (a decompression bomb)`));
            done(null, chunk);
          },
        });
        try {
          await pipeline(await zip.openReadStreamPromise(entry), counter, createWriteStream(target, { flags: 'wx' }));
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw new AppError('ARCHIVE_INVALID', `${fileName} is not a readable zip archive: entry "${path}": ${(err as Error).message}.`, { problems: [{ field: path, problem: (err as Error).message, fix: 'Re-create the archive with a standard zip tool and upload it again.' }] });
        }
      }
    } finally {
      zip.close();
    }
    const top = (await readdir(root, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
    const dir = top.length === 1 && top[0]!.isDirectory() && top[0]!.name !== 'images' ? join(root, top[0]!.name) : root;
    return { dir, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
