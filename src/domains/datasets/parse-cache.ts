/**
 * The records of recently imported comma-separated CSV files, keyed by the stored file's sha256, so the job that
 * reads a version right after its import (text training: `sagebrush text train` imports, then trains) does not parse
 * the file a second time. Records are what a strict reader gets (formats/index.ts keepRecords); a file the import
 * read with relaxed quotes is never here. Per process (a job thread has its own), bounded by the source bytes held
 * and by age, so a long-running server keeps at most a few files' records for a few minutes.
 */

/** Files above this size are not kept (their records would be several times as large in memory). */
export const PARSE_CACHE_MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 4;
const TTL_MS = 10 * 60_000;

interface Entry {
  records: string[][];
  bytes: number;
  timer: NodeJS.Timeout;
}

export interface ParseCache {
  put(sha256: string, bytes: number, records: string[][]): void;
  /** The records of the file with this sha256 (every record, header and blank rows included), if kept. */
  get(sha256: string): string[][] | undefined;
  clear(): void;
}

export function createParseCache(): ParseCache {
  const entries = new Map<string, Entry>();
  let total = 0;
  const drop = (key: string): void => {
    const e = entries.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    entries.delete(key);
    total -= e.bytes;
  };
  return {
    put(sha256, bytes, records) {
      if (!sha256 || bytes > PARSE_CACHE_MAX_FILE_BYTES) return;
      drop(sha256);
      // Oldest first (a Map iterates in insertion order; get() re-inserts).
      for (const key of entries.keys()) {
        if (entries.size < MAX_ENTRIES && total + bytes <= MAX_TOTAL_BYTES) break;
        drop(key);
      }
      const timer = setTimeout(() => drop(sha256), TTL_MS);
      timer.unref();
      entries.set(sha256, { records, bytes, timer });
      total += bytes;
    },
    get(sha256) {
      const e = entries.get(sha256);
      if (!e) return undefined;
      entries.delete(sha256);
      entries.set(sha256, e);
      return e.records;
    },
    clear() {
      for (const key of [...entries.keys()]) drop(key);
    },
  };
}
