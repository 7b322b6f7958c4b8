/**
 * Test data for fine-tuning: the tiny llama (stories260K, ../shared/data/llm-tiny) and small deterministic
 * instruction rows in its TinyStories style, so a few dozen steps visibly lower the eval loss.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LLM_TINY_DIR = join(resolve(import.meta.dirname, '../../../..'), 'shared', 'data', 'llm-tiny');
export const TINY_GGUF = join(LLM_TINY_DIR, 'stories260K.gguf');
export const TINY_BIN = join(LLM_TINY_DIR, 'stories260K.bin');
export const TINY_TOKENIZER = join(LLM_TINY_DIR, 'tok512.bin');
export const HAS_TINY = existsSync(TINY_GGUF) && existsSync(TINY_BIN);
export const NO_TINY_MESSAGE = `skipped: the tiny llama is absent (${LLM_TINY_DIR}, see its PROVENANCE.md)`;
export const HAS_TORCH = existsSync(process.env.SAGEBRUSH_PYTHON ?? '/usr/bin/python3') && existsSync('/usr/lib/python3/dist-packages/torch');

const NAMES = ['Lily', 'Tom', 'Ben', 'Mia', 'Sue', 'Max'];
const THINGS = ['ball', 'cat', 'dog', 'tree', 'cake', 'boat'];

/** `n` instruction/response rows as JSON Lines (seeded: the same rows every time). */
export function instructionRows(n = 120): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = NAMES[(i * 7) % NAMES.length]!;
    const thing = THINGS[(i * 5 + Math.floor(i / 6)) % THINGS.length]!;
    out.push(JSON.stringify({ instruction: `Tell a story about ${name} and a ${thing}.`, response: `Once upon a time, ${name} had a ${thing}. ${name} loved the ${thing} very much. They played all day.` }));
  }
  return `${out.join('\n')}\n`;
}

/** A small, fast spec (steps, batch, sequence length) for tests; `over` replaces fields. */
export function smallSpec(base: unknown, upload: string, over: Record<string, unknown> = {}) {
  return {
    base,
    data: { upload },
    method: 'lora',
    hp: { lr: 0.003, warmupSteps: 2, maxSteps: 12, seqLen: 64, microBatch: 4, globalBatch: 8, evalEvery: 6, checkpointEvery: 6 },
    ...over,
  };
}
