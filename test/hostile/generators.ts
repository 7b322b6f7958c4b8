/**
 * Generators for the inputs too big, deep or binary to commit: images made with sharp, zips with lying
 * headers (CRC, sizes, duplicate names), deep JSON, huge lines.
 */
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { makeZip, type ZipEntryInput } from '../../src/domains/datasets/formats/zip-write.ts';

export { makeZip };

const cache = new Map<string, Buffer>();

/** A real image of the given size and format (cached: the corpus asks for the same few). */
export async function image(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', width = 48, height = 48, seed = 1): Promise<Buffer> {
  const key = `${format}:${width}x${height}:${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + seed * 97) & 0xff;
  const buf = await sharp(raw, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
  cache.set(key, buf);
  return buf;
}

/** Two label folders of real PNGs: the image control dataset. */
export async function controlImageZip(): Promise<Buffer> {
  const entries: ZipEntryInput[] = [];
  for (let i = 0; i < 4; i++) entries.push({ name: `cats/c${i}.png`, data: await image('png', 40, 40, i) }, { name: `dogs/d${i}.png`, data: await image('png', 40, 40, 10 + i) });
  return makeZip(entries);
}

/** A zip of two labelled folders plus `extra` entries (the case's hostile part). */
export async function imageZipWith(extra: ZipEntryInput[]): Promise<Buffer> {
  return makeZip([{ name: 'a/1.png', data: await image('png') }, { name: 'b/1.png', data: await image('png', 48, 48, 2) }, ...extra]);
}

/** A PNG whose header claims width × height pixels (a "pixel flood"); the image data is a tiny real one. */
export async function pixelFloodPng(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await image('png', 8, 8));
  // IHDR is the first chunk: length (4) 'IHDR' (4) width (4) height (4) … CRC over type + data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** Overwrites the CRC-32 of every entry (local and central headers) with a wrong value. */
export function withBadCrc(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE((out.readUInt32LE(i + 14) ^ 0xdeadbeef) >>> 0, i + 14);
    else if (sig === 0x02014b50) out.writeUInt32LE((out.readUInt32LE(i + 16) ^ 0xdeadbeef) >>> 0, i + 16);
  }
  return out;
}

/** `depth` nested arrays/objects around a value, as one JSON Lines row. */
export function deepJsonLine(depth: number, kind: 'array' | 'object' = 'array'): string {
  const open = kind === 'array' ? '[' : '{"a":';
  const close = kind === 'array' ? ']' : '}';
  return `{"text":"deep","label":"x","nested":${open.repeat(depth)}1${close.repeat(depth)}}`;
}

/** A JSON body nested `depth` levels deep. */
export function deepJsonBody(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export const csv = (rows: string[]) => `${rows.join('\n')}\n`;

/** A small valid labelled CSV with a header (text,label). */
export function labelled(n = 6, extra = ''): string {
  return csv(['text,label', ...Array.from({ length: n }, (_, i) => `hello number ${i}${extra},${i % 2 ? 'a' : 'b'}`)]);
}
