/**
 * A whole local file read straight into a SharedArrayBuffer: what a model's scoring threads load from. One copy, not
 * two (readFile into a Buffer, then a copy into shared memory on the event loop), and the read is split into a few
 * page-aligned parts read concurrently on libuv's thread pool: most of the time of reading a model file that is in
 * the page cache goes to the first touch of the new buffer's pages, and those page faults then run on several
 * threads, off the event loop. jigsaw-10k's 13 MB model.bin: 7–9 ms read with one synchronous readSync, 5–7 ms in
 * four parts; readFile + copy, the path before, 9–17 ms, 4–7 ms of it on the event loop (node microbenchmark,
 * 2-core machine).
 */
import { open } from 'node:fs/promises';

/** Parts read at once: libuv's default pool has 4 threads. */
const PARTS = 4;
/** Below this a file is read in one part (threads would cost more than they save). */
const SPLIT_FROM = 1 << 20;

/**
 * Reads `path` (its size when opened; the open file keeps that inode even if the path is replaced meanwhile) into a
 * new SharedArrayBuffer. Throws when the file ends early (it shrank while read).
 */
export async function readFileShared(path: string): Promise<SharedArrayBuffer> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const bytes = new SharedArrayBuffer(size), view = new Uint8Array(bytes);
    const parts = size < SPLIT_FROM ? 1 : PARTS;
    // page-aligned parts, so no page is faulted by two threads
    const step = Math.max(4096, Math.ceil(size / parts / 4096) * 4096);
    const reads: Promise<void>[] = [];
    for (let from = 0; from < size; from += step) {
      const end = Math.min(size, from + step);
      reads.push((async () => {
        for (let at = from; at < end; ) {
          const { bytesRead } = await fh.read(view, at, end - at, at);
          if (bytesRead === 0) throw new Error(`${path}: the file ended at byte ${at} of ${size} (it changed while it was read)`);
          at += bytesRead;
        }
      })());
    }
    // every part settles before the file is closed, even when one fails
    const failed = (await Promise.allSettled(reads)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return bytes;
  } finally {
    await fh.close();
  }
}
