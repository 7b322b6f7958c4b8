/**
 * data.py as the trainer uses it: the loss covers only the response / completion tokens (and EOS) of
 * instruction and prompt/completion rows, every token of plain text, and packing fills whole windows.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probe, tempDir, trainerMissing, writeRunConfig } from './testing/kit.ts';

const missing = trainerMissing();
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing !== null)(`training targets${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('instruction, prompt/completion and text rows become the right targets', { timeout: 120_000 }, async () => {
    const inst = join(dir, 'inst.jsonl');
    writeFileSync(inst, [{ instruction: 'Say hi.', response: 'Hi there, friend!' }, { instruction: 'Name a pet.', input: 'small', response: 'A cat.' }].map((r) => JSON.stringify(r)).join('\n'));
    const a = await probe('targets', writeRunConfig(dir, inst, { data: { format: 'instruction', packing: false, evalFraction: 0 } }));
    expect(a.sequences.map((s: any) => [s.all, s.targets, s.eos_target])).toEqual([
      ['Say hi.\nHi there, friend!', 'Hi there, friend!', true],
      ['Name a pet.\nsmall\nA cat.', 'A cat.', true],
    ]);
    const pc = join(dir, 'pc.jsonl');
    writeFileSync(pc, JSON.stringify({ prompt: 'The sky is', completion: ' blue and big.' }) + '\n');
    const b = await probe('targets', writeRunConfig(dir, pc, { data: { format: 'prompt_completion', packing: false, evalFraction: 0 } }));
    expect(b.sequences[0]).toMatchObject({ all: 'The sky is blue and big.', eos_target: true });
    expect(b.sequences[0].targets.trim()).toBe('blue and big.');
    const txt = join(dir, 'plain.txt');
    writeFileSync(txt, 'One day a cat sat.\n\nThe dog ran fast to the park and back home again.\n');
    const c = await probe('targets', writeRunConfig(dir, txt, { hp: { seqLen: 8 }, data: { evalFraction: 0 } }));
    // packed into 9-token windows: all text is a target (the first BOS only gives context)
    expect(c.sequences.length).toBeGreaterThan(2);
    expect(c.sequences.map((s: any) => s.all).join('')).toContain('cat sat.');
  });
});
