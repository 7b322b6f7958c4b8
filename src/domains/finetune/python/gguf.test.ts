/**
 * gguf.py: reading a GGUF and writing it back reproduces the file byte for byte, and node-llama-cpp loads the
 * written file and generates the same text as from the original.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { llamaCpp, probe, tempDir, TINY_GGUF, trainerMissing } from './testing/kit.ts';

const missing = trainerMissing();
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing !== null)(`GGUF reader/writer${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('read → write → read is identical, and node-llama-cpp generates the same from the written file', { timeout: 120_000 }, async () => {
    const out = join(dir, 'copy.gguf');
    const r = await probe('roundtrip', TINY_GGUF, out);
    expect(r).toMatchObject({ kv_equal: true, tensors_equal: true, bytes_identical: true });
    expect(r.n_tensors).toBeGreaterThan(3);
    const [a, b] = [await llamaCpp(TINY_GGUF, 'Once upon a time', 20), await llamaCpp(out, 'Once upon a time', 20)];
    expect(b.text).toBe(a.text);
    expect(a.text.length).toBeGreaterThan(20);
  });

  it('reads F16 tensors (widened to float32): logits within 0.05 of the F32 model, and the F16 file loads in node-llama-cpp', { timeout: 120_000 }, async () => {
    const out = join(dir, 'f16.gguf');
    const r = await probe('f16', TINY_GGUF, out);
    expect(r.types).toEqual(['F16', 'F32']);
    expect(r.max_abs_logit_diff).toBeLessThan(0.05);
    expect((await llamaCpp(out, 'Once upon a time', 8)).text.length).toBeGreaterThan(5);
  });
});
