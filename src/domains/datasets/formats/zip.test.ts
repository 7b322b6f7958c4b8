import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import { FAKE_JPEG, FAKE_PNG, makeZip, type ZipEntryInput } from '../testing/zip-writer.ts';
import { DEFAULT_LIMITS } from './types.ts';
import { commonRoot, importZip, unsafePath } from './zip.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function run(entries: ZipEntryInput[], maxArchiveBytes = 1 << 20) {
  const path = join(dir, `${n++}.zip`);
  writeFileSync(path, makeZip(entries));
  return importZip({ path, fileName: 'test.zip', limits: { ...DEFAULT_LIMITS, maxArchiveBytes } });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (err) {
    return (err as AppError).code;
  }
}

describe('zip of image folders', () => {
  it('labels images by their folder, strips a shared root, skips system and non-image files', async () => {
    const r = await run([
      { name: 'pets/cats/1.jpg', data: FAKE_JPEG },
      { name: 'pets/cats/2.png', data: FAKE_PNG, method: 0 },
      { name: 'pets/dogs/1.jpg', data: FAKE_JPEG },
      { name: 'pets/dogs/notes.txt', data: 'hi' },
      { name: '__MACOSX/pets/cats/._1.jpg', data: 'x' },
      { name: 'pets/dogs/broken.jpg', data: 'not a jpeg' },
    ]);
    expect(r.schema).toMatchObject({ format: 'image-folder', root: 'pets/', labels: ['cats', 'dogs'] });
    expect(r.stats).toMatchObject({ imageCount: 3, labelCount: 2, ignoredFiles: 2, extensions: { jpg: 2, png: 1 } });
    expect(r.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['pets/dogs/notes.txt', 'pets/dogs/broken.jpg']));
    const index = r.sidecars?.[0].body.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(index).toEqual([['pets/cats/1.jpg', 'cats', FAKE_JPEG.length], ['pets/cats/2.png', 'cats', FAKE_PNG.length], ['pets/dogs/1.jpg', 'dogs', FAKE_JPEG.length]]);
  });

  it('counts root-level images as unlabeled', async () => {
    const r = await run([{ name: 'a/1.jpg', data: FAKE_JPEG }, { name: 'loose.jpg', data: FAKE_JPEG }]);
    expect(r.stats).toMatchObject({ imageCount: 1, unlabeled: 1 });
  });

  it('rejects unsafe and corrupt archives', async () => {
    expect(await codeOf(run([{ name: 'a/../../x.jpg', data: FAKE_JPEG }]))).toBe('ARCHIVE_UNSAFE');
    expect(await codeOf(run([{ name: 'C:/x/1.jpg', data: FAKE_JPEG }]))).toBe('ARCHIVE_UNSAFE');
    expect(await codeOf(run([{ name: 'a/1.jpg', data: Buffer.alloc(3 << 20) }], 8 << 20))).toBe('ARCHIVE_UNSAFE');
    expect(await codeOf(run([{ name: 'a/1.jpg', data: FAKE_JPEG, declaredSize: 10 }]))).toBe('ARCHIVE_UNSAFE');
    expect(await codeOf(run([{ name: 'a/1.jpg', data: FAKE_JPEG, declaredSize: 1000 }]))).toBe('ARCHIVE_INVALID');
    expect(await codeOf(run([{ name: 'a/1.jpg', data: FAKE_JPEG }], 10))).toBe('ARCHIVE_UNSAFE');
    expect(await codeOf(run([{ name: 'readme.md', data: '# hi' }]))).toBe('DATASET_EMPTY');
  });

  it('reads a CSV manifest: paths relative to it, metadata columns kept, missing and unlisted files warned', async () => {
    const r = await run([
      { name: 'set/manifest.csv', data: 'path,lesion_id,dx\nakiec/1.jpg,L1,akiec\nnv/2.jpg,L2,nv\nnv/missing.jpg,L3,nv\n' },
      { name: 'set/akiec/1.jpg', data: FAKE_JPEG },
      { name: 'set/nv/2.jpg', data: FAKE_JPEG },
      { name: 'set/nv/3.jpg', data: FAKE_JPEG },
    ]);
    expect(r.schema).toMatchObject({ format: 'image-folder', root: 'set/', labels: ['akiec', 'nv'], manifest: { path: 'set/manifest.csv', columns: ['lesion_id', 'dx'] } });
    expect(r.stats).toMatchObject({ imageCount: 2, labelCount: 2 });
    const index = r.sidecars?.[0].body.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(index).toEqual([['set/akiec/1.jpg', 'akiec', FAKE_JPEG.length, { lesion_id: 'L1', dx: 'akiec' }], ['set/nv/2.jpg', 'nv', FAKE_JPEG.length, { lesion_id: 'L2', dx: 'nv' }]]);
    expect(r.problems.map((p) => p.problem).join(' ')).toMatch(/missing\.jpg.*not a valid image[\s\S]*1 image is not listed/);
    const flat = await run([{ name: 'm.csv', data: 'path,label\na.jpg,x\nb.jpg,\n' }, { name: 'a.jpg', data: FAKE_JPEG }, { name: 'b.jpg', data: FAKE_JPEG }]);
    expect(flat.stats).toMatchObject({ imageCount: 2, labels: [{ label: 'x', count: 1 }], unlabeled: 1 });
    expect(await codeOf(run([{ name: 'm.csv', data: 'path\nnope.jpg\n' }, { name: 'a/1.jpg', data: FAKE_JPEG }]))).toBe('DATASET_EMPTY');
  });

  it('path helpers', () => {
    expect(unsafePath('a/b.jpg')).toBeUndefined();
    expect(unsafePath('/etc/x')).toMatch(/absolute/);
    expect(unsafePath('a/../../b')).toMatch(/\.\./);
    expect(commonRoot([['root', 'a'], ['root', 'b']])).toBe(1);
    expect(commonRoot([['a'], ['b']])).toBe(0);
    expect(commonRoot([['root', 'a'], ['root']])).toBe(0);
  });
});
