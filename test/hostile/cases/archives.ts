/**
 * Zip uploads (image folders): zip slip, absolute paths, symlinks, bombs (honest and lying headers), CRC
 * mismatches, duplicate names, corrupt and truncated archives, and odd but legal content (non-images, GIF/TIFF,
 * truncated JPEGs, tiny images) — which is stored, and whose thumbnails answer a documented code.
 */
import { deflateRawSync } from 'node:zlib';
import { err, json, ok, type HostileCase } from '../case.ts';
import { image, imageZipWith, makeZip, pixelFloodPng, withBadCrc } from '../generators.ts';
import type { Env, Reply } from '../harness.ts';
import { MAX_ARCHIVE } from '../harness.ts';

function zip(name: string, content: () => Promise<Buffer> | Buffer, expect: HostileCase['expect'], check?: HostileCase['check'], fileName = 'images.zip'): HostileCase {
  return { group: 'archives', name, send: async (env) => env.upload(fileName, await content()), expect, ...(check ? { check } : {}) };
}

const png = () => image('png');
const zeros = (n: number) => Buffer.alloc(n);

/** A stored entry's header claims `claimed` bytes, but inflates to far more. */
function lyingBomb(): Buffer {
  const z = makeZip([{ name: 'a/1.png', data: zeros(3 * 1024 * 1024), declaredSize: 100 }, { name: 'b/1.png', data: zeros(10) }]);
  return z;
}

/** Rows and warnings of the stored version. */
const warned = (pattern: RegExp) => (r: Reply) => {
  const v = json<{ version: { problems: Array<{ problem: string; field?: string }> } }>(r)?.version;
  return (v?.problems ?? []).some((p) => pattern.test(`${p.field ?? ''} ${p.problem}`)) ? [] : [`no warning matching ${pattern}: ${JSON.stringify(v?.problems)}`];
};

/** The thumbnail of image `index` of the uploaded version answers `status` (and `code`). */
const thumbnail = (index: number, status: number, code?: string) => async (r: Reply, env: Env) => {
  const id = json<{ dataset: { id: string } }>(r)?.dataset.id;
  const images = await env.inject({ method: 'GET', url: `/api/v1/images/datasets/${id}/versions/latest/images?limit=50`, headers: env.auth });
  const list = json<{ items: Array<{ index: number; path: string }> }>(images)?.items ?? [];
  const t = await env.inject({ method: 'GET', url: `/api/v1/images/datasets/${id}/versions/latest/images/${index}/thumbnail`, headers: env.auth });
  const got = json<{ code?: string }>(t)?.code;
  if (t.status === status && (code === undefined || got === code)) return [];
  return [`thumbnail ${index} (${list.map((i) => i.path).join(', ')}) answered ${t.status} ${got ?? ''}, expected ${status} ${code ?? ''}`];
};

/** A zip with a truncated/garbled tail: the first `fraction` of a valid archive. */
async function truncated(fraction: number): Promise<Buffer> {
  const z = await imageZipWith([]);
  return z.subarray(0, Math.floor(z.length * fraction));
}

/** Sets the compression method of every entry to `method` (e.g. 99 = AES, 12 = bzip2). */
function withMethod(z: Buffer, method: number): Buffer {
  const out = Buffer.from(z);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt16LE(method, i + 8);
    else if (sig === 0x02014b50) out.writeUInt16LE(method, i + 10);
  }
  return out;
}

/** Sets general-purpose flag bit 0 (encrypted) on every entry. */
function withEncryptedFlag(z: Buffer): Buffer {
  const out = Buffer.from(z);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    else if (sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

const UNSAFE = err(400, 'ARCHIVE_UNSAFE');
const INVALID = err(400, 'ARCHIVE_INVALID');

export const archiveCases: HostileCase[] = [
  // paths that escape
  zip('zip slip ../', async () => imageZipWith([{ name: '../evil.png', data: await png() }]), UNSAFE),
  zip('zip slip nested a/../../', async () => imageZipWith([{ name: 'a/../../evil.png', data: await png() }]), UNSAFE),
  zip('zip slip with backslashes', async () => imageZipWith([{ name: '..\\..\\evil.png', data: await png() }]), UNSAFE),
  zip('zip slip deep ../../../../etc/passwd', async () => imageZipWith([{ name: '../../../../etc/passwd', data: 'root:x:0:0' }]), UNSAFE),
  zip('absolute path /etc/cron.d/x', async () => imageZipWith([{ name: '/etc/cron.d/x.png', data: await png() }]), UNSAFE),
  zip('Windows drive path C:/', async () => imageZipWith([{ name: 'C:/Windows/evil.png', data: await png() }]), UNSAFE),
  zip('Windows drive path c:\\', async () => imageZipWith([{ name: 'c:\\evil.png', data: await png() }]), UNSAFE),
  zip('NUL in an entry name', async () => imageZipWith([{ name: 'a/evil.png\0.txt', data: await png() }]), UNSAFE),
  zip('a symlink entry', async () => imageZipWith([{ name: 'a/link.png', data: '/etc/passwd', symlink: true }]), UNSAFE),
  zip('a symlink to a directory', async () => imageZipWith([{ name: 'a/up', data: '../../', symlink: true }]), UNSAFE),
  zip('.. as a label folder', async () => imageZipWith([{ name: '../x.png', data: await png() }]), UNSAFE),
  // bombs
  zip('declared size over the archive limit', async () => imageZipWith([{ name: 'a/big.png', data: await png(), declaredSize: MAX_ARCHIVE + 1 }]), UNSAFE),
  zip('declared 4 GiB entry', async () => imageZipWith([{ name: 'a/big.png', data: await png(), declaredSize: 0xfffffff0 }]), UNSAFE),
  zip('honest high-ratio entry (3 MiB of zeros)', async () => imageZipWith([{ name: 'a/zeros.png', data: zeros(3 * 1024 * 1024) }]), UNSAFE),
  zip('many entries whose total is over the limit', async () => imageZipWith(Array.from({ length: 5 }, (_, i) => ({ name: `a/z${i}.png`, data: zeros(1024 * 1024) }))), UNSAFE),
  zip('a header that under-declares the inflated size', () => lyingBomb(), UNSAFE),
  zip('a nested zip bomb is not inflated', async () => imageZipWith([{ name: 'a/inner.zip', data: makeZip([{ name: 'z.bin', data: zeros(3 * 1024 * 1024) }]) }]), ok(201), warned(/inner\.zip/)),
  // integrity
  zip('CRC mismatch is refused', async () => withBadCrc(await imageZipWith([])), INVALID),
  zip('duplicate entry names are refused', async () => imageZipWith([{ name: 'a/1.png', data: await image('png', 48, 48, 5) }]), UNSAFE),
  zip('duplicate names after normalising ./ are refused', async () => imageZipWith([{ name: './a/1.png', data: await image('png', 48, 48, 6) }]), UNSAFE),
  zip('truncated to half', () => truncated(0.5), INVALID),
  zip('truncated to 90 %', () => truncated(0.9), INVALID),
  zip('only the local header signature', () => Buffer.from([0x50, 0x4b, 3, 4, 0, 0]), INVALID),
  zip('signature followed by garbage', () => Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(2000, 0x41)]), INVALID),
  zip('an empty archive (end record only)', () => makeZip([]), err(400, 'DATASET_EMPTY')),
  zip('only directories', () => makeZip([{ name: 'a/', directory: true }, { name: 'b/', directory: true }]), err(400, 'DATASET_EMPTY')),
  zip('an unsupported compression method (bzip2)', async () => withMethod(await imageZipWith([]), 12), INVALID),
  zip('an encrypted entry', async () => withEncryptedFlag(await imageZipWith([])), INVALID),
  zip('a .zip that is a CSV', () => Buffer.from('text,label\nhi,a\n'), INVALID),
  zip('an Office document is not a dataset', () => makeZip([{ name: '[Content_Types].xml', data: '<Types/>' }]), err(400, 'FILE_FORMAT_UNKNOWN'), undefined, 'book.xlsx'),
  zip('deflate data that is corrupt', () => makeZip([{ name: 'a/1.png', data: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), deflateRawSync(Buffer.alloc(10)).subarray(0, 2)]), method: 0 }, { name: 'b/1.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1]) }]), ok(201)),
  // odd but legal content
  zip('a non-image file in a label folder is skipped with a warning', async () => imageZipWith([{ name: 'a/readme.txt', data: 'hello' }]), ok(201), warned(/readme\.txt/)),
  zip('text named .jpg is skipped with a warning', async () => imageZipWith([{ name: 'a/fake.jpg', data: 'not a jpeg' }]), ok(201), warned(/fake\.jpg/)),
  zip('an executable named .png is skipped', async () => imageZipWith([{ name: 'a/evil.png', data: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)]) }]), ok(201), warned(/evil\.png/)),
  zip('GIF images are accepted', async () => makeZip([{ name: 'a/1.gif', data: await image('gif') }, { name: 'b/1.gif', data: await image('gif', 48, 48, 3) }]), ok(201)),
  zip('TIFF images are accepted', async () => makeZip([{ name: 'a/1.tif', data: await image('tiff') }, { name: 'b/1.tiff', data: await image('tiff', 48, 48, 3) }]), ok(201)),
  zip('a truncated JPEG is stored; its thumbnail is IMAGE_UNREADABLE', async () => makeZip([{ name: 'a/1.jpg', data: (await image('jpeg', 64, 64)).subarray(0, 60) }, { name: 'b/1.png', data: await png() }]), ok(201), thumbnail(0, 400, 'IMAGE_UNREADABLE')),
  zip('a 1×1 image has a thumbnail', async () => makeZip([{ name: 'a/1.png', data: await image('png', 1, 1) }, { name: 'b/1.png', data: await png() }]), ok(201), thumbnail(0, 200)),
  zip('a 1×4000 image has a thumbnail', async () => makeZip([{ name: 'a/1.png', data: await image('png', 1, 4000) }, { name: 'b/1.png', data: await png() }]), ok(201), thumbnail(0, 200)),
  zip('a PNG claiming 100,000 × 100,000 pixels: its thumbnail is refused, not decoded', async () => makeZip([{ name: 'a/1.png', data: await pixelFloodPng(100_000, 100_000) }, { name: 'b/1.png', data: await png() }]), ok(201), thumbnail(0, 400, 'IMAGE_UNREADABLE')),
  zip('thumbnail index out of range', async () => imageZipWith([]), ok(201), thumbnail(999, 404)),
  zip('a single label folder warns', () => makeZip([{ name: 'only/1.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) }]), ok(201), warned(/one label/)),
  zip('images outside label folders are skipped', async () => imageZipWith([{ name: 'loose.png', data: await png() }]), ok(201), warned(/not inside a label folder/)),
  zip('__MACOSX and .DS_Store entries are ignored', async () => imageZipWith([{ name: '__MACOSX/a/._1.png', data: 'junk' }, { name: 'a/.DS_Store', data: 'junk' }]), ok(201)),
  zip('unicode label folders', async () => makeZip([{ name: 'ñandú/1.png', data: await png() }, { name: '🐱/1.png', data: await png() }]), ok(201)),
  zip('a label folder named with U+202E', async () => makeZip([{ name: 'gnp.\u202Eexe/1.png', data: await png() }, { name: 'b/1.png', data: await png() }]), ok(201)),
  zip('a 250-character entry name', async () => imageZipWith([{ name: `a/${'n'.repeat(246)}.png`, data: await png() }]), ok(201)),
  zip('a manifest path that climbs out with .. is skipped with a warning', async () => imageZipWith([{ name: 'manifest.csv', data: 'path,label\n../../etc/passwd,a\na/1.png,a\nb/1.png,b\n' }]), ok(201), warned(/climbs out/)),
];
