/**
 * The `sagebrush finetune` CLI as a process on the embedded store: the documented `run … --wait --json` contract
 * (2 DDP workers by local torchrun, then export → LLM catalog → endpoint), a refusal before anything starts, list,
 * show, logs, export of another checkpoint. Skipped with a message where the tiny llama or torch is absent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_TINY, HAS_TORCH, instructionRows, NO_TINY_MESSAGE, TINY_GGUF } from '../domains/finetune/testing.ts';
import { createCliSandbox } from './testing.ts';

const ready = HAS_TINY && HAS_TORCH;

describe.skipIf(!ready)(`sagebrush finetune${ready ? '' : ` — ${NO_TINY_MESSAGE}`}`, () => {
  const sb = createCliSandbox('finetune');
  afterAll(() => sb.cleanup());
  const data = join(sb.dir, 'train.jsonl');
  writeFileSync(data, instructionRows(120));
  const small = ['--steps', '8', '--seq-len', '64', '--micro-batch', '4', '--global-batch', '8', '--eval-every', '4', '--checkpoint-every', '4', '--lr', '0.003'];

  it('refuses a world size over the cores before anything starts', async () => {
    const err = await sb.refused(['finetune', 'run', '--base', TINY_GGUF, '--data', data, '--workers', '64', ...small]);
    expect(err.code).toBe('FINETUNE_WORLD_SIZE_TOO_LARGE');
    expect(err.problems.map((p) => p.field)).toEqual(['parallel.dataParallel']);
  }, 120_000);

  it('run --workers 2 --deploy --wait --json prints the contract; list, show, logs and export work on the run', async () => {
    const out = await sb.json(['finetune', 'run', '--base', TINY_GGUF, '--data', data, '--workers', '2', ...small, '--name', 'cli1', '--deploy', 'ft-cli', '--wait']);
    expect(Object.keys(out)).toEqual(['job', 'status', 'workers', 'eval_loss_base', 'eval_loss', 'tokens_per_second', 'model']);
    expect(out).toMatchObject({ job: expect.stringMatching(/^job_/), status: 'succeeded', workers: 2, model: 'cli1:1' });
    expect(out.eval_loss).toBeLessThan(out.eval_loss_base);
    expect(out.tokens_per_second).toBeGreaterThan(0);
    const list = await sb.json(['finetune', 'list']);
    expect(list.items.map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([['cli1', 'succeeded']]);
    const shown = await sb.cli(['finetune', 'show', 'cli1']);
    expect(shown.stdout).toMatch(/run cli1 \(ft_[^)]+\): succeeded/);
    expect(shown.stdout).toMatch(/step-000004\s+4/);
    expect((await sb.cli(['finetune', 'logs', 'cli1'])).stdout).toMatch(/deployed on endpoint ft-cli/);
    const exported = await sb.json(['finetune', 'export', 'cli1', '--step', '4', '--name', 'cli1-step4']);
    expect(exported).toMatchObject({ checkpoint: { step: 4 }, model: { name: 'cli1-step4', version: 1 }, endpoint: null });
  }, 400_000);
});
