import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeZip, type ZipEntryInput } from '../../datasets/formats/zip-write.ts';
import { tempFolder } from '../formats/testing.ts';
import { extractZip } from './unzip.ts';

function zipFile(entries: ZipEntryInput[]): string {
  const path = join(tempFolder({}), 'x.zip');
  writeFileSync(path, makeZip(entries));
  return path;
}
const fails = (entries: ZipEntryInput[], max = 1e6) => extractZip(zipFile(entries), 'x.zip', max).then(() => 'extracted', (err: { code: string; problems?: Array<{ field?: string; problem: string }> }) => err);

describe('extractZip', () => {
  it('extracts into a temp folder, entering a single top folder, and cleans up', async () => {
    const { dir, cleanup } = await extractZip(zipFile([{ name: 'set/images/a.png', data: 'A' }, { name: 'set/labels.csv', data: 'x' }, { name: '__MACOSX/set/._a.png', data: 'junk' }]), 'x.zip', 1e6);
    expect(readFileSync(join(dir, 'images/a.png'), 'utf8')).toBe('A');
    expect(dir.endsWith('/set')).toBe(true);
    await cleanup();
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    ['a ".." entry', [{ name: '../../etc/x', data: 'x' }], /"\.\." segment/],
    ['an absolute entry', [{ name: '/etc/x', data: 'x' }], /absolute path/],
    ['a symlink', [{ name: 'images/a.png', data: '/etc/passwd', symlink: true }], /symbolic link/],
    ['a duplicate name', [{ name: 'a.png', data: 'x' }, { name: './a.png', data: 'y' }], /appears twice/],
    ['a declared size over the limit', [{ name: 'a.png', data: 'x', declaredSize: 2_000_000 }], /declared|uncompressed size over the limit/],
    ['a header that lies (inflates past the limit)', [{ name: 'a.png', data: Buffer.alloc(3_000_000), declaredSize: 10 }], /inflates over the limit/],
  ] as Array<[string, ZipEntryInput[], RegExp]>)('refuses %s (ARCHIVE_UNSAFE)', async (_what, entries, message) => {
    const err = await fails(entries);
    expect(err).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect((err as { problems: Array<{ problem: string }> }).problems[0]!.problem).toMatch(message);
  });

  it('refuses a file that is not a zip (ARCHIVE_INVALID)', async () => {
    const path = join(tempFolder({ 'x.zip': 'not a zip at all' }), 'x.zip');
    await expect(extractZip(path, 'x.zip', 1e6)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
  });
});
