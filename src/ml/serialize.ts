/**
 * A small binary container for model files: magic, version, a JSON header and named binary sections
 * (4-byte aligned). Typed arrays are stored in the platform's byte order, little-endian on every platform Node
 * supports in practice; the header records it so a big-endian reader can refuse cleanly.
 */
const MAGIC = 'SGML';
const VERSION = 1;

export function packSections(header: Record<string, unknown>, sections: Record<string, Uint8Array>): Buffer {
  const table: Record<string, [number, number]> = {};
  let offset = 0;
  for (const [name, bytes] of Object.entries(sections)) {
    table[name] = [offset, bytes.byteLength];
    offset += (bytes.byteLength + 3) & ~3;
  }
  const head = Buffer.from(JSON.stringify({ ...header, littleEndian: true, sections: table }), 'utf8');
  const headLen = (head.length + 3) & ~3;
  const out = Buffer.alloc(12 + headLen + offset, 0);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  for (const [name, bytes] of Object.entries(sections)) out.set(bytes, 12 + headLen + table[name][0]);
  return out;
}

/**
 * With `views`, a section whose bytes are 4-byte aligned is returned as a view into `buf`, not a copy: typed arrays
 * over it share `buf`'s memory (a SharedArrayBuffer's: one copy for every thread) and must not be written.
 */
export function unpackSections(buf: Uint8Array, what = 'model', views = false): { header: Record<string, unknown>; section(name: string): Uint8Array } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('latin1', 0, 4) !== MAGIC) throw new Error(`${what}: not a Sagebrush model file (bad magic bytes)`);
  const version = b.readUInt32LE(4);
  if (version !== VERSION) throw new Error(`${what}: unsupported model file version ${version} (this build reads ${VERSION})`);
  const headLen = b.readUInt32LE(8);
  if (12 + headLen > b.length) throw new Error(`${what}: truncated model file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(b.toString('utf8', 12, 12 + headLen)) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: corrupt model file header`);
  }
  if (header.littleEndian !== true || new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error(`${what}: byte order mismatch`);
  const table = header.sections as Record<string, [number, number]>;
  const base = 12 + ((headLen + 3) & ~3);
  return {
    header,
    section(name: string): Uint8Array {
      const entry = table?.[name];
      if (!entry || base + entry[0] + entry[1] > b.length) throw new Error(`${what}: missing or truncated section ${name}`);
      const bytes = b.subarray(base + entry[0], base + entry[0] + entry[1]);
      if (views && bytes.byteOffset % 4 === 0) return bytes;
      // a copy, so typed-array views over it are aligned
      return new Uint8Array(bytes);
    },
  };
}

export function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function bytesF32(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error('model file: float section length is not a multiple of 4');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}
