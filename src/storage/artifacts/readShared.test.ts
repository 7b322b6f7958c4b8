import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileShared } from './readShared.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-readshared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes that differ at every position of a part (a part read at the wrong offset would not match). */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >>> 8) * 7) & 255;
  return b;
}

describe('readFileShared', () => {
  // empty, one small part, the split threshold ±1, page-unaligned sizes that leave a short last part
  for (const size of [0, 1, 4095, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345]) {
    it(`reads a ${size}-byte file into shared memory byte for byte`, async () => {
      const path = join(dir, `f${size}`), want = pattern(size);
      writeFileSync(path, want);
      const got = await readFileShared(path);
      expect(got).toBeInstanceOf(SharedArrayBuffer);
      expect(got.byteLength).toBe(size);
      expect(Buffer.from(new Uint8Array(got)).equals(want)).toBe(true);
    });
  }

  it('throws ENOENT for a missing file', async () => {
    await expect(readFileShared(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
