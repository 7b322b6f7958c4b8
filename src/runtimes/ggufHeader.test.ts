import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_GGUF, tinyModelMissing } from '../domains/llm/testing/tinyModel.ts';
import { checkGgufHeader } from './ggufHeader.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-gguf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(tinyModelMissing() !== null)('GGUF header check', () => {
  it('accepts a complete file', async () => {
    const h = await checkGgufHeader(TINY_GGUF);
    expect(h).toMatchObject({ version: 3, tensorCount: 48 });
    expect(h.headerBytes).toBeGreaterThan(1000);
  });

  it('refuses files truncated anywhere in the header (node-llama-cpp would spin forever on them)', async () => {
    const full = readFileSync(TINY_GGUF);
    const { headerBytes } = await checkGgufHeader(TINY_GGUF);
    for (const cut of [4, 20, 30, 200, Math.floor(headerBytes / 2), headerBytes - 1]) {
      const p = join(dir, `cut-${cut}.gguf`);
      writeFileSync(p, full.subarray(0, cut));
      await expect(checkGgufHeader(p), `cut at ${cut}`).rejects.toThrow(/truncated|magic|short read/);
    }
  });

  it('refuses other files and GGUF versions it cannot read', async () => {
    const text = join(dir, 'text.gguf');
    writeFileSync(text, 'GGUF but only text, no header at all here');
    await expect(checkGgufHeader(text)).rejects.toThrow();
    const v9 = Buffer.from(readFileSync(TINY_GGUF));
    v9.writeUInt32LE(9, 4);
    writeFileSync(join(dir, 'v9.gguf'), v9);
    await expect(checkGgufHeader(join(dir, 'v9.gguf'))).rejects.toThrow(/version 9/);
  });
});
