/**
 * A bounds-checked walk over a GGUF header (magic, version, metadata key/values, tensor descriptions)
 * before node-llama-cpp's reader sees the file: its reader spins forever on a file truncated inside the
 * header, so a truncated or corrupt header must be refused here first.
 */
import { open } from 'node:fs/promises';

const MAX_HEADER_BYTES = 512 * 2 ** 20;
const MAX_STRING = 64 * 2 ** 20;
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

export interface GgufHeaderCheck {
  version: number;
  tensorCount: number;
  kvCount: number;
  headerBytes: number;
}

class BoundedReader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;

  constructor(
    private readonly fh: Awaited<ReturnType<typeof open>>,
    private readonly size: number,
  ) {}

  private async ensure(n: number): Promise<void> {
    const end = this.pos + n;
    if (end > this.size) throw new Error(`the header needs byte ${end} but the file has ${this.size} bytes (truncated?)`);
    if (end > MAX_HEADER_BYTES) throw new Error(`the header is larger than ${MAX_HEADER_BYTES} bytes`);
    if (end <= this.bufStart + this.buf.length) return;
    const from = this.pos;
    const length = Math.min(this.size - from, Math.max(n, 1 << 20));
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(chunk, 0, length, from);
    if (bytesRead < n) throw new Error(`short read at byte ${from}`);
    this.buf = chunk.subarray(0, bytesRead);
    this.bufStart = from;
  }

  private at(): number {
    return this.pos - this.bufStart;
  }

  async u32(): Promise<number> {
    await this.ensure(4);
    const v = this.buf.readUInt32LE(this.at());
    this.pos += 4;
    return v;
  }

  async u64(): Promise<number> {
    await this.ensure(8);
    const v = this.buf.readBigUInt64LE(this.at());
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`an implausible count (${v}) at byte ${this.pos - 8}`);
    return Number(v);
  }

  async skip(n: number): Promise<void> {
    if (this.pos + n > this.size) throw new Error(`the header needs byte ${this.pos + n} but the file has ${this.size} bytes (truncated?)`);
    this.pos += n;
  }

  async string(): Promise<void> {
    const len = await this.u64();
    if (len > MAX_STRING) throw new Error(`a string of ${len} bytes at byte ${this.pos - 8}`);
    await this.skip(len);
  }
}

async function skipValue(r: BoundedReader, type: number, depth = 0): Promise<void> {
  if (type === STRING) return r.string();
  if (type === ARRAY) {
    if (depth > 2) throw new Error('arrays nested too deeply');
    const itemType = await r.u32();
    const n = await r.u64();
    const size = SCALAR_SIZE[itemType];
    if (size !== undefined) return r.skip(n * size);
    for (let i = 0; i < n; i++) await skipValue(r, itemType, depth + 1);
    return;
  }
  const size = SCALAR_SIZE[type];
  if (size === undefined) throw new Error(`unknown value type ${type} at byte ${r.pos - 4}`);
  return r.skip(size);
}

/** Throws an Error saying what is wrong when `path` is not a complete GGUF (v2/v3) header. */
export async function checkGgufHeader(path: string): Promise<GgufHeaderCheck> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const r = new BoundedReader(fh, size);
    const magic = Buffer.alloc(4);
    await fh.read(magic, 0, 4, 0);
    if (size < 24 || magic.toString('latin1') !== 'GGUF') throw new Error('it does not start with the GGUF magic bytes');
    await r.skip(4);
    const version = await r.u32();
    if (version < 2 || version > 3) throw new Error(`GGUF version ${version} is not supported (2 or 3)`);
    const tensorCount = await r.u64();
    const kvCount = await r.u64();
    for (let i = 0; i < kvCount; i++) {
      await r.string();
      await skipValue(r, await r.u32());
    }
    for (let i = 0; i < tensorCount; i++) {
      await r.string();
      const dims = await r.u32();
      if (dims > 8) throw new Error(`tensor ${i} has ${dims} dimensions`);
      await r.skip(dims * 8 + 4 + 8);
    }
    return { version, tensorCount, kvCount, headerBytes: r.pos };
  } finally {
    await fh.close();
  }
}
