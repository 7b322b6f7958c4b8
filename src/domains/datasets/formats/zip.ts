/**
 * Zip archives of image folders (folder name = label), as SageMaker Canvas imports them. The archive
 * is stored as uploaded; the import only reads it: every entry path is checked (no absolute paths, `..`
 * or symlinks), declared sizes are checked before anything is inflated, and the bytes actually inflated
 * are counted against the archive limit and a compression-ratio limit (so a lying header cannot bomb us).
 * Nothing is ever extracted to disk.
 */
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../../core/errors.ts';
import { sniffImageType } from '../../../core/imageType.ts';
import { applyManifest, isManifestCandidate, MAX_MANIFEST_BYTES, pickManifest, type ManifestFile } from './zip-manifest.ts';
import { ProblemCollector } from '../validate.ts';
import { imageImportResult, sortedLabels, type ImageEntry, type ZipTally } from './image-result.ts';
import { ProgressThrottle } from './text-guard.ts';
import type { ImportLimits, ImportResult, ProgressFn } from './types.ts';

export { IMAGE_INDEX } from './image-result.ts';
const IMAGE_EXT = /\.(jpe?g|png|gif|bmp|webp|tiff?)$/i;
const SYSTEM_FILE = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\.[^/]*$)/i;
const RATIO_MIN_BYTES = 1024 * 1024;

export interface ZipInput {
  path: string;
  fileName: string;
  limits: ImportLimits;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** ARCHIVE_UNSAFE naming the entry; each archive reader keeps its own closing sentence and fix. */
export function archiveUnsafe(fileName: string, entry: string, problem: string, wording: { outcome: string; fix: string }): AppError {
  return new AppError('ARCHIVE_UNSAFE', `${fileName} is unsafe: entry "${entry}" ${problem}. ${wording.outcome}`, {
    problems: [{ field: entry, problem, fix: wording.fix }],
  });
}

const UNSAFE_WORDING = { outcome: 'Nothing was extracted.', fix: 'Zip the label folders with relative paths only (e.g. `zip -r images.zip cats dogs`), without symlinks, and keep the uncompressed size under SAGEBRUSH_MAX_ARCHIVE_BYTES.' };
const unsafe = (fileName: string, entry: string, problem: string): AppError => archiveUnsafe(fileName, entry, problem, UNSAFE_WORDING);

function invalid(fileName: string, why: string, entry?: string): AppError {
  const problem = why.replace(/\.+$/, '');
  return new AppError('ARCHIVE_INVALID', `${fileName} is not a readable zip archive: ${entry ? `entry "${entry}": ` : ''}${problem}.`, {
    problems: [{ field: entry, problem, fix: 'Re-create the archive with a standard zip tool (deflate compression, no password) and upload it again.' }],
  });
}

export async function openZip(path: string, fileName: string): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false });
  } catch (err) {
    throw invalid(fileName, (err as Error).message);
  }
}

/** The entry's path, decoded (UTF-8 flag or CP437) with `\` normalised to `/`. */
export function entryPath(entry: Entry): string {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  return raw.replace(/\\/g, '/');
}

/** Why a path is unsafe to extract, or undefined. */
export function unsafePath(path: string): string | undefined {
  if (path.includes('\0')) return 'has a NUL character in its path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'has an absolute path';
  if (path.split('/').includes('..')) return 'has a ".." segment that points outside the archive';
  return undefined;
}

/** A Unix-made entry whose mode is a symbolic link (refused: extracting one could point outside the target). */
export function isSymlink(entry: Entry): boolean {
  const madeBy = entry.versionMadeBy >> 8;
  return madeBy === 3 && ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

/** JPEG and WebP use the core sniff; PNG keeps its 4-byte check (looser than core's full signature), GIF/BMP/TIFF are zip-only. */
const MAGIC: Array<[RegExp, (h: Buffer) => boolean]> = [
  [/\.jpe?g$/i, (h) => sniffImageType(h) === 'jpeg'],
  [/\.png$/i, (h) => h.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))],
  [/\.gif$/i, (h) => h.subarray(0, 4).toString('latin1') === 'GIF8'],
  [/\.bmp$/i, (h) => h.subarray(0, 2).toString('latin1') === 'BM'],
  [/\.webp$/i, (h) => sniffImageType(h) === 'webp'],
  [/\.tiff?$/i, (h) => ['II*\0', 'MM\0*'].includes(h.subarray(0, 4).toString('latin1'))],
];

export function looksLikeImage(path: string, head: Buffer): boolean {
  const m = MAGIC.find(([re]) => re.test(path));
  return m ? m[1](head) : false;
}

export async function importZip(input: ZipInput): Promise<ImportResult> {
  const { fileName, limits } = input;
  const problems = new ProblemCollector(limits.maxErrors, limits.maxWarnings);
  const zip = await openZip(input.path, fileName);
  const images: ImageEntry[] = [];
  const extensions: Record<string, number> = {};
  const csvFiles: ManifestFile[] = [];
  let ignored = 0;
  let declaredTotal = 0;
  let inflatedTotal = 0;
  let seen = 0;
  const names = new Set<string>();
  const progress = new ProgressThrottle(input.onProgress, zip.entryCount);
  try {
    if (zip.entryCount > limits.maxArchiveEntries) {
      throw unsafe(fileName, '(archive)', `has ${zip.entryCount} entries; at most ${limits.maxArchiveEntries} are accepted`);
    }
    const entries = zip.eachEntry();
    for (;;) {
      let entry: Entry;
      try {
        const r = await entries.next();
        if (r.done) break;
        entry = r.value;
      } catch (err) {
        throw invalid(fileName, (err as Error).message);
      }
      input.signal?.throwIfAborted();
      seen++;
      const path = entryPath(entry);
      const why = unsafePath(path);
      if (why) throw unsafe(fileName, path, why);
      if (isSymlink(entry)) throw unsafe(fileName, path, 'is a symbolic link');
      if (path.endsWith('/')) continue;
      // Two entries with one name: tools disagree on which copy wins, so what we check may not be what gets used.
      const key = path.split('/').filter((seg) => seg !== '' && seg !== '.').join('/'); // `./a/1.png` is `a/1.png`
      if (names.has(key)) throw unsafe(fileName, path, `appears twice in the archive (duplicate entry name${key === path ? '' : ` "${key}"`})`);
      names.add(key);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxArchiveBytes) throw unsafe(fileName, path, `brings the declared uncompressed size to ${declaredTotal} bytes, over the limit of ${limits.maxArchiveBytes}`);
      if (entry.uncompressedSize > RATIO_MIN_BYTES && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio) {
        throw unsafe(fileName, path, `declares a compression ratio of ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1, over the limit of ${limits.maxCompressionRatio}:1 (a decompression bomb)`);
      }
      if (!SYSTEM_FILE.test(path) && isManifestCandidate(path) && entry.uncompressedSize <= MAX_MANIFEST_BYTES && (entry.compressionMethod === 0 || entry.compressionMethod === 8) && !(entry.generalPurposeBitFlag & 1)) {
        // A CSV manifest (path column + label/group/metadata columns) is read whole: it is small and needed to label the images.
        const { bytes, body } = await inflateCounting(zip, entry, path, fileName, limits, limits.maxArchiveBytes - inflatedTotal, true);
        inflatedTotal += bytes;
        csvFiles.push({ path, body: body! });
        continue;
      }
      if (SYSTEM_FILE.test(path) || !IMAGE_EXT.test(path)) {
        ignored++;
        if (!SYSTEM_FILE.test(path)) problems.warn({ field: path, problem: 'not an image (.jpg, .png, .gif, .bmp, .webp, .tif); skipped', fix: 'Keep only images inside the label folders.' });
        continue;
      }
      if (entry.generalPurposeBitFlag & 1) throw invalid(fileName, 'is encrypted (password-protected zips are not supported)', path);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw invalid(fileName, `uses compression method ${entry.compressionMethod}; only stored and deflate are supported`, path);
      const { bytes, head } = await inflateCounting(zip, entry, path, fileName, limits, limits.maxArchiveBytes - inflatedTotal);
      inflatedTotal += bytes;
      if (!looksLikeImage(path, head)) {
        problems.warn({ field: path, problem: 'is not a valid image (its first bytes do not match its extension); skipped', fix: 'Remove or re-export the file.' });
        continue;
      }
      const parts = path.split('/');
      parts.pop();
      images.push({ path, dir: parts, bytes });
      const ext = (/\.([^.]+)$/.exec(path)?.[1] ?? '').toLowerCase().replace('jpeg', 'jpg');
      extensions[ext] = (extensions[ext] ?? 0) + 1;
      await progress.tick(seen, `${images.length} images checked`);
    }
  } finally {
    zip.close();
  }
  const manifest = pickManifest(csvFiles, problems);
  if (manifest) return applyManifest(fileName, images, manifest, { ignored: ignored + csvFiles.length - 1, inflatedTotal, extensions, problems });
  for (const f of csvFiles) {
    ignored++;
    problems.warn({ field: f.path, problem: 'not an image and not a manifest (no "path" column); skipped', fix: 'Keep only images inside the label folders, or give the CSV manifest a "path" column.' });
  }
  return summarise(fileName, images, { ignored, inflatedTotal, extensions, problems });
}

async function inflateCounting(zip: ZipFile, entry: Entry, path: string, fileName: string, limits: ImportLimits, budget: number, keep = false): Promise<{ bytes: number; head: Buffer; body?: Buffer }> {
  let stream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw invalid(fileName, (err as Error).message, path);
  }
  let bytes = 0;
  let crc = 0;
  const head: Buffer[] = [];
  const all: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      if (bytes < 16) head.push(chunk.subarray(0, 16));
      if (keep) all.push(chunk);
      bytes += chunk.length;
      if (bytes > entry.uncompressedSize) throw unsafe(fileName, path, `inflates to more than its declared size of ${entry.uncompressedSize} bytes`);
      if (bytes > budget) throw unsafe(fileName, path, `brings the inflated size of the archive over the limit of ${limits.maxArchiveBytes} bytes`);
      if (bytes > RATIO_MIN_BYTES && bytes / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio) {
        throw unsafe(fileName, path, `inflates with a compression ratio over ${limits.maxCompressionRatio}:1 (a decompression bomb)`);
      }
    }
  } catch (err) {
    (stream as { destroy?: () => void }).destroy?.();
    if (err instanceof AppError) throw err;
    throw invalid(fileName, `corrupt data (${(err as Error).message})`, path);
  }
  if (bytes < entry.uncompressedSize) throw invalid(fileName, `truncated: ${bytes} of ${entry.uncompressedSize} bytes`, path);
  // yauzl does not verify checksums: a flipped bit in an image would otherwise be stored and trained on.
  if (crc !== entry.crc32) throw invalid(fileName, `CRC-32 mismatch (the data reads as ${hex(crc)}, the archive records ${hex(entry.crc32)}): the entry is corrupt`, path);
  return { bytes, head: Buffer.concat(head), ...(keep ? { body: Buffer.concat(all) } : {}) };
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Strips the folders shared by every image (e.g. `ham10000/`) as long as a label folder remains. */
export function commonRoot(dirs: string[][]): number {
  let depth = 0;
  for (;;) {
    const first = dirs[0]?.[depth];
    if (first === undefined) return depth;
    if (!dirs.every((d) => d.length >= depth + 2 && d[depth] === first)) return depth;
    depth++;
  }
}

function summarise(fileName: string, images: ImageEntry[], acc: ZipTally): ImportResult {
  const { problems } = acc;
  const depth = commonRoot(images.map((i) => i.dir));
  const root = images[0] ? images[0].dir.slice(0, depth).map((s) => `${s}/`).join('') : '';
  const counts = new Map<string, number>();
  const index: string[] = [];
  let unlabeled = 0;
  for (const img of images) {
    if (img.dir.length <= depth) {
      unlabeled++;
      continue;
    }
    const label = img.dir[img.dir.length - 1];
    counts.set(label, (counts.get(label) ?? 0) + 1);
    index.push(JSON.stringify([img.path, label, img.bytes]));
  }
  if (counts.size === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName} has no images inside label folders (${images.length} images found, ${acc.ignored} other files).`, {
      problems: [{ problem: 'no labelled images', fix: 'Zip one folder per label with the images inside, e.g. cats/1.jpg, dogs/2.jpg.' }],
    });
  }
  if (unlabeled > 0) problems.warn({ problem: `${unlabeled} image${unlabeled === 1 ? ' is' : 's are'} not inside a label folder and ${unlabeled === 1 ? 'was' : 'were'} skipped`, fix: 'Move every image into the folder named after its label.' });
  if (counts.size === 1) problems.warn({ problem: `only one label folder ("${[...counts.keys()][0]}")`, fix: 'Image classification needs at least two label folders.' });
  const labels = sortedLabels(counts);
  for (const l of labels) if (l.count < 10) problems.warn({ field: l.label, problem: `label "${l.label}" has only ${l.count} image${l.count === 1 ? '' : 's'}`, fix: 'Add images: at least 10 per label (more is better) for a usable model.' });
  return imageImportResult(index, labels, unlabeled, acc, { root });
}
