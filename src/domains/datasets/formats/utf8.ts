/**
 * Streaming UTF-8 check. Each chunk is validated with the native `buffer.isUtf8`; a multi-byte
 * character split across chunks is carried over. On failure it reports the exact offset of the first
 * bad byte so the reader can name the row and line.
 */
import { isUtf8 } from 'node:buffer';

export class Utf8Checker {
  private carry: Buffer | undefined;
  /** Bytes checked so far (offset of the next chunk's first byte, carry excluded). */
  private offset = 0;

  /**
   * Checks the next chunk. Returns -1 when the chunk is valid so far, or the index inside `chunk`
   * of the first byte of the invalid sequence.
   */
  check(chunk: Buffer): number {
    const carried = this.carry?.length ?? 0;
    const data = carried > 0 ? Buffer.concat([this.carry as Buffer, chunk]) : chunk;
    const end = completeLength(data);
    const body = data.subarray(0, end);
    if (!isUtf8(body)) {
      const bad = firstInvalid(body);
      return Math.max(0, bad - carried);
    }
    this.carry = end < data.length ? Buffer.from(data.subarray(end)) : undefined;
    this.offset += chunk.length;
    return -1;
  }

  /** Call at the end of input: an unfinished multi-byte sequence is invalid. Returns its byte offset or -1. */
  finish(): number {
    if (this.carry && this.carry.length > 0) return this.offset - this.carry.length;
    return -1;
  }
}

/** Length of the prefix of `buf` that ends on a character boundary (at most 3 trailing bytes held back). */
function completeLength(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Index of the first byte that starts an invalid UTF-8 sequence (scans byte by byte; only used on failure). */
export function firstInvalid(buf: Buffer): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
