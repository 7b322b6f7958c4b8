/**
 * Reads the text files of a zip (batch input, one document per file) in memory, with the same path
 * checks as dataset archives and hard caps on entries and inflated bytes (decompression-bomb guard).
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../core/errors.ts';
import { entryPath, unsafePath } from '../datasets/formats/zip.ts';

const MAX_ENTRIES = 100_000;
const MAX_DOC_BYTES = 10 * 1024 * 1024;
const MAX_TOTAL_BYTES = 1024 * 1024 * 1024;
const SKIP = /(^|\/)(__MACOSX\/|\.DS_Store$|\.[^/]*$)/;

function fromBuffer(body: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(body, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip))),
  );
}

export async function unzipTextFiles(body: Buffer): Promise<Array<{ name: string; body: Buffer; tooLarge?: boolean }>> {
  let zip: ZipFile;
  try {
    zip = await fromBuffer(body);
  } catch (err) {
    throw new AppError('ARCHIVE_INVALID', `The input zip cannot be read: ${(err as Error).message}.`, { problems: [{ field: 'file', problem: (err as Error).message, fix: 'Re-create the zip with a standard tool.' }] });
  }
  if (zip.entryCount > MAX_ENTRIES) throw new AppError('ARCHIVE_UNSAFE', `The zip has ${zip.entryCount} entries; at most ${MAX_ENTRIES} documents are accepted per job.`);
  const out: Array<{ name: string; body: Buffer; tooLarge?: boolean }> = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry() as AsyncIterable<Entry>) {
      const path = entryPath(entry);
      const why = unsafePath(path);
      if (why) throw new AppError('ARCHIVE_UNSAFE', `Zip entry "${path}" ${why}; nothing was read.`, { problems: [{ field: path, problem: why, fix: 'Zip the documents with relative paths only.' }] });
      if (path.endsWith('/') || SKIP.test(path)) continue;
      if (entry.uncompressedSize > MAX_DOC_BYTES) {
        out.push({ name: path, body: Buffer.alloc(0), tooLarge: true });
        continue;
      }
      total += entry.uncompressedSize;
      if (total > MAX_TOTAL_BYTES) throw new AppError('ARCHIVE_UNSAFE', `The zip inflates to more than ${MAX_TOTAL_BYTES} bytes.`);
      const chunks: Buffer[] = [];
      for await (const c of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) chunks.push(c);
      out.push({ name: path, body: Buffer.concat(chunks) });
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('ARCHIVE_INVALID', `The input zip is corrupt: ${(err as Error).message}.`);
  } finally {
    zip.close();
  }
  return out;
}
