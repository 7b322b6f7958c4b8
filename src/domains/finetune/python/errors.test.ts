/**
 * Bad input is reported before anything trains: one JSON error line naming the field (and row) with a fix, exit
 * code 2 — an unknown architecture, a quantized tensor type, a row over the context with packing off, bad
 * batch arithmetic, a world size other than the launch's. inspect.py lists every bad row instead of failing.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe, PY_DIR, runPython, tempDir, TINY_GGUF, trainerMissing, writeRunConfig, writeStories } from './testing/kit.ts';

const missing = trainerMissing();
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const INSPECT = join(PY_DIR, 'inspect.py');
const TRAIN = join(PY_DIR, 'train.py');

async function expectError(script: string, config: string, code: string, field: string) {
  const r = await runPython([script, '--config', config]);
  expect(r.code, r.stderr.slice(-2000)).toBe(2);
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatchObject({ type: 'error', code, field });
  expect(r.lines[0]!.fix).toMatch(/\w/);
  expect(r.stderr).not.toContain('Traceback');
  return r.lines[0]!;
}

describe.skipIf(missing !== null)(`trainer bad input${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('an unknown architecture and a quantized tensor are JSON errors with exit 2 from inspect.py and train.py', { timeout: 120_000 }, async () => {
    const data = await writeStories(join(dir, 's.txt'), 10);
    const arch = (await probe('bad-arch', TINY_GGUF, join(dir, 'mamba.gguf'))).path as string;
    const archCfg = writeRunConfig(dir, data, { base: { path: arch } });
    const e = await expectError(INSPECT, archCfg, 'FINETUNE_UNKNOWN_ARCHITECTURE', 'base.path');
    expect(e.message).toContain("'mamba'");
    await expectError(TRAIN, archCfg, 'FINETUNE_UNKNOWN_ARCHITECTURE', 'base.path');
    const q8 = (await probe('bad-type', TINY_GGUF, join(dir, 'q8.gguf'))).path as string;
    const q = await expectError(INSPECT, writeRunConfig(dir, data, { base: { path: q8 } }), 'FINETUNE_UNSUPPORTED_TENSOR_TYPE', 'base.path');
    expect(q.message).toContain('Q8_0');
  });

  it('bad rows are listed by inspect.py with row, field and fix; train.py refuses them (row over the context, packing off)', { timeout: 120_000 }, async () => {
    const rows = [
      JSON.stringify({ instruction: 'Say hi.', response: 'Hi!' }),
      '{"instruction": "broken"',
      JSON.stringify({ instruction: 'Tell a story.', response: 'Once upon a time '.repeat(40) }),
      JSON.stringify({ instruction: 'Empty?', response: '   ' }),
      JSON.stringify({ instruction: 'Say bye.', response: 'Bye!' }),
    ];
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, rows.join('\n') + '\n');
    const cfg = writeRunConfig(dir, file, { data: { format: 'instruction', packing: false, evalFraction: 0 }, hp: { seqLen: 64 } });
    const r = await runPython([INSPECT, '--config', cfg]);
    expect(r.code, r.stderr).toBe(0);
    const problems = r.lines[0]!.data.problems as Array<Record<string, unknown>>;
    expect(problems.map((p) => [p.row, p.field ?? null])).toEqual([[2, null], [3, null], [4, 'response']]);
    expect(problems[0]!.problem).toMatch(/invalid JSON/);
    expect(problems[1]!.problem).toMatch(/over the 65-token context/);
    expect(problems[2]!.problem).toMatch(/empty/);
    for (const p of problems) expect(p.fix).toMatch(/\w/);
    expect(r.lines[0]!.model).toMatchObject({ arch: 'llama', dim: 64, n_layers: 5, n_heads: 8, n_kv_heads: 4, vocab: 512, ctx: 512, dtype: 'F32' });
    const e = await expectError(TRAIN, cfg, 'FINETUNE_BAD_DATA', 'data.train');
    expect(e.row).toBe(2);
    expect(e.problems).toHaveLength(3);
    // only the long row left: still refused, naming row 1 and the fix
    writeFileSync(file, rows[2] + '\n');
    const long = await expectError(TRAIN, cfg, 'FINETUNE_BAD_DATA', 'data.train');
    expect(long).toMatchObject({ row: 1 });
    expect(long.fix).toMatch(/packing/);
  });

  it('batch arithmetic and a world size other than the launch are config errors', { timeout: 120_000 }, async () => {
    const data = await writeStories(join(dir, 's2.txt'), 10);
    await expectError(TRAIN, writeRunConfig(dir, data, { hp: { microBatch: 3, globalBatch: 4 } }), 'FINETUNE_BAD_CONFIG', 'hp.globalBatch');
    await expectError(TRAIN, writeRunConfig(dir, data, { parallel: { dataParallel: 2 } }), 'FINETUNE_WORLD_SIZE_MISMATCH', 'parallel.dataParallel');
    await expectError(TRAIN, writeRunConfig(dir, data, { parallel: { tensorParallel: 3 } }), 'FINETUNE_BAD_CONFIG', 'parallel.tensorParallel');
    await expectError(TRAIN, writeRunConfig(dir, data, { hp: { lr: 'fast' } }), 'FINETUNE_BAD_CONFIG', 'hp.lr');
    await expectError(INSPECT, writeRunConfig(dir, data, { method: 'qlora' }), 'FINETUNE_BAD_CONFIG', 'method');
  });
});
