/**
 * `sagebrush finetune run|list|show|logs|cancel|resume|export` (issue 16). Scripts depend on one JSON shape (keep it
 * exactly): `run … --wait --json` → `{job, status, workers, eval_loss_base, eval_loss, tokens_per_second, model}`
 * (`model` = the registered GGUF as NAME:VERSION, or null without --deploy). `--base` is an LLM catalog model, or a
 * file: a .gguf is registered in the catalog first, a llama2.c .bin is uploaded with its --tokenizer. `--data` is
 * uploaded. A failed or cancelled run exits 1.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { FinetuneRunView } from '../domains/finetune/index.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;
const num = (v: string) => Number(v);

async function upload(t: Transport, file: string): Promise<string> {
  return expectOk<{ id: string }>(await t.upload('/api/v1/finetune/uploads', file, [])).id;
}

/** The request's base: a catalog name, a .gguf registered first (or found by name), a llama2.c .bin uploaded. */
async function baseOf(t: Transport, base: string, tokenizer: string | undefined): Promise<unknown> {
  if (/\.bin$/i.test(base)) {
    if (!tokenizer) throw new CliError('VALIDATION_FAILED', 'A llama2.c checkpoint needs its tokenizer: --tokenizer tok512.bin', 1, [{ field: 'tokenizer', problem: 'missing', fix: 'Pass --tokenizer FILE (the tok*.bin the checkpoint was trained with).' }]);
    return { checkpoint: await upload(t, base), tokenizer: await upload(t, tokenizer) };
  }
  if (!/\.gguf$/i.test(base)) return base;
  const name = basename(base).replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63);
  const existing = await t.request('GET', `/api/v1/models/${enc(name)}`);
  if (existing.status === 200) return name;
  const reg = expectOk<{ name: string; version: number }>(await t.request('POST', '/api/v1/llm/models', { path: base, name }));
  return `${reg.name}:${reg.version}`;
}

const contract = (r: FinetuneRunView, model: string | null) => ({
  job: r.job?.id ?? null, status: r.status, workers: r.summary.worldSize ?? r.spec.parallel.dataParallel,
  eval_loss_base: r.summary.baseEvalLoss, eval_loss: r.summary.evalLoss, tokens_per_second: r.summary.tokensPerSecond, model,
});

function printRun(r: FinetuneRunView): void {
  const s = r.summary;
  process.stdout.write(`run ${r.name} (${r.id}): ${r.status}${r.job?.error ? ` — ${r.job.error.code}: ${r.job.error.message}` : ''}\n`);
  process.stdout.write(`  ${r.spec.method} on ${typeof r.spec.base === 'string' ? r.spec.base : 'llama2.c upload'} (${r.model.arch}, dim ${r.model.dim}, ${r.model.n_layers} layers), ${r.spec.parallel.dataParallel} worker(s) via ${r.launcher}${r.launchId ? ` ${r.launchId}` : ''}\n`);
  process.stdout.write(`  step ${s.step}${r.spec.hp.maxSteps ? `/${r.spec.hp.maxSteps}` : ''}, loss ${s.finalLoss?.toFixed(4) ?? '-'}, eval loss ${s.baseEvalLoss?.toFixed(4) ?? '-'} → ${s.evalLoss?.toFixed(4) ?? '-'}, ${s.tokensPerSecond?.toFixed(0) ?? '-'} tokens/s, ${s.seqsPerSecond?.toFixed(1) ?? '-'} seqs/s\n`);
  if (r.checkpoints.length) printTable(['checkpoint', 'step', 'latest', 'bytes'], r.checkpoints.map((c) => [c.name, c.step, c.latest ? 'yes' : '', c.bytes]));
  if (r.exported.modelId) process.stdout.write(`  exported model ${r.exported.modelId}${r.exported.endpoint ? `, endpoint ${r.exported.endpoint}` : ''}\n`);
}

async function finish(t: Transport, r: FinetuneRunView, json: boolean | undefined): Promise<void> {
  let model: string | null = null;
  if (r.job && r.status === 'succeeded') {
    const job = expectOk<{ result: { model: { name: string; version: number } | null } | null }>(await t.request('GET', `/api/v1/jobs/${enc(r.job.id)}`));
    if (job.result?.model) model = `${job.result.model.name}:${job.result.model.version}`;
  }
  if (json) printJson(contract(r, model));
  else printRun(r);
  if (r.status === 'failed' || r.status === 'cancelled') throw new CliError(r.job?.error?.code ?? 'FINETUNE_FAILED', `run ${r.name} ${r.status}${r.job?.error ? `: ${r.job.error.message}` : ''}`, 1);
}

async function follow(t: Transport, id: string, quiet: boolean): Promise<FinetuneRunView> {
  let last = '';
  for (;;) {
    const r = expectOk<FinetuneRunView>(await t.request('GET', `/api/v1/finetune/runs/${enc(id)}`));
    const line = r.job?.message ?? '';
    if (!quiet && line && line !== last) process.stderr.write(`${line}\n`);
    last = line;
    if (r.status !== 'queued' && r.status !== 'running') return r;
    await new Promise((res) => setTimeout(res, 500));
  }
}

export function registerFinetuneCommands(program: Command): void {
  const f = program.command('finetune').description('LLM fine-tuning: runs on torchrun or Slurm, metrics, checkpoints, export → catalog → endpoint');

  f.command('run')
    .description('Start a fine-tuning run (validated first)')
    .requiredOption('--base <model>', 'LLM catalog model (NAME[:VERSION]), a .gguf file, or a llama2.c .bin (with --tokenizer)')
    .requiredOption('--data <file>', 'JSON Lines (instruction/response, prompt/completion, text) or a .txt file')
    .option('--tokenizer <file>', 'tokenizer .bin of a llama2.c checkpoint')
    .option('--format <format>', 'instruction | prompt_completion | text (default: detected)')
    .option('--no-packing', 'one example per sequence (rows over --seq-len are refused)')
    .option('--method <method>', 'lora | full', 'lora')
    .option('--rank <n>', 'LoRA rank', num).option('--alpha <n>', 'LoRA alpha', num).option('--dropout <p>', 'LoRA dropout', num)
    .option('--targets <list>', 'LoRA target modules, comma-separated (wq,wk,wv,wo,w1,w2,w3)')
    .option('--lr <lr>', 'learning rate', num).option('--schedule <s>', 'cosine | linear | constant')
    .option('--steps <n>', 'optimizer steps', num).option('--epochs <n>', 'epochs (instead of steps)', num)
    .option('--seq-len <n>', 'sequence length', num).option('--micro-batch <n>', 'sequences per worker per micro step', num).option('--global-batch <n>', 'sequences per optimizer step', num)
    .option('--seed <n>', 'seed', num).option('--eval-every <n>', 'steps between evals', num).option('--checkpoint-every <n>', 'steps between checkpoints', num)
    .option('--workers <n>', 'data-parallel world size', num, 1).option('--tp <n>', 'tensor-parallel size (validated and recorded)', num).option('--pp <n>', 'pipeline-parallel size (validated and recorded)', num)
    .option('--launcher <type>', 'local | slurm', 'local').option('--partition <name>', 'Slurm partition').option('--nodes <n>', 'Slurm nodes', num).option('--time <t>', 'Slurm time limit')
    .option('--name <name>', 'run name').option('--deploy <endpoint>', 'after training: export, register and deploy on this endpoint')
    .option('--wait', 'wait until the run has finished')
    .action(async (o: Record<string, any>, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const defined = (x: Record<string, unknown>) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
        const body = defined({
          name: o.name, base: await baseOf(t, o.base, o.tokenizer), method: o.method, deploy: o.deploy,
          data: defined({ upload: await upload(t, o.data), format: o.format, packing: o.packing === false ? false : undefined }),
          lora: o.method === 'lora' ? defined({ rank: o.rank, alpha: o.alpha, dropout: o.dropout, targets: o.targets?.split(',') }) : undefined,
          hp: defined({ lr: o.lr, schedule: o.schedule, maxSteps: o.epochs !== undefined && o.steps === undefined ? null : o.steps, epochs: o.epochs, seqLen: o.seqLen, microBatch: o.microBatch, globalBatch: o.globalBatch, seed: o.seed, evalEvery: o.evalEvery, checkpointEvery: o.checkpointEvery }),
          parallel: defined({ dataParallel: o.workers, tensorParallel: o.tp, pipelineParallel: o.pp }),
          launcher: defined({ type: o.launcher, partition: o.partition, nodes: o.nodes, time: o.time }),
        });
        const run = expectOk<FinetuneRunView>(await t.request('POST', '/api/v1/finetune/runs', body));
        if (!o.wait) {
          if (g.json) printJson({ run: run.id, name: run.name, job: run.job?.id ?? null, status: run.status });
          else process.stdout.write(`run ${run.name} (${run.id}) started: job ${run.job?.id}; follow with \`sagebrush finetune show ${run.name}\`\n`);
          return;
        }
        await finish(t, await follow(t, run.id, !!g.json), g.json);
      }),
    );

  f.command('list').description('Fine-tuning runs, newest first').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: FinetuneRunView[] }>(await t.request('GET', '/api/v1/finetune/runs'));
      if (g.json) return printJson(page);
      printTable(['name', 'id', 'status', 'method', 'workers', 'launcher', 'step', 'eval loss', 'tokens/s'], page.items.map((r) => [r.name, r.id, r.status, r.spec.method, r.spec.parallel.dataParallel, r.launcher, r.summary.step, r.summary.evalLoss?.toFixed(4), r.summary.tokensPerSecond?.toFixed(0)]));
    }),
  );

  f.command('show <run>').description('A run: status, losses, throughput, checkpoints').action(async (run: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const r = expectOk<FinetuneRunView>(await t.request('GET', `/api/v1/finetune/runs/${enc(run)}`));
      if (g.json) printJson(r);
      else printRun(r);
    }),
  );

  f.command('logs <run>').description("The run's job log (trainer and launcher output)").option('--follow', 'keep printing until the run ends').action(async (run: string, o: { follow?: boolean }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      let after = 0;
      for (;;) {
        const { items } = expectOk<{ items: Array<{ at: string; level: string; message: string }> }>(await t.request('GET', `/api/v1/finetune/runs/${enc(run)}/logs?after=${after}`));
        after += items.length;
        for (const l of items) process.stdout.write(g.json ? `${JSON.stringify(l)}\n` : `${l.at} ${l.level} ${l.message}\n`);
        if (!o.follow) return;
        const r = expectOk<FinetuneRunView>(await t.request('GET', `/api/v1/finetune/runs/${enc(run)}`));
        if (r.status !== 'queued' && r.status !== 'running' && items.length === 0) return;
        await new Promise((res) => setTimeout(res, 1000));
      }
    }),
  );

  f.command('cancel <run>').description('Cancel the run (every worker is stopped)').action(async (run: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const r = expectOk<FinetuneRunView>(await t.request('POST', `/api/v1/finetune/runs/${enc(run)}/cancel`));
      if (g.json) printJson({ run: r.id, status: r.status });
      else process.stdout.write(`run ${r.name}: ${r.status}\n`);
    }),
  );

  f.command('resume <run>').description('Resume from the last checkpoint').option('--wait', 'wait until the run has finished').action(async (run: string, o: { wait?: boolean }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const r = expectOk<FinetuneRunView>(await t.request('POST', `/api/v1/finetune/runs/${enc(run)}/resume`));
      if (o.wait) return finish(t, await follow(t, r.id, !!g.json), g.json);
      if (g.json) printJson({ run: r.id, job: r.job?.id ?? null, status: r.status });
      else process.stdout.write(`run ${r.name} resumed: job ${r.job?.id}\n`);
    }),
  );

  f.command('export <run>').description('Checkpoint → GGUF → LLM catalog (→ endpoint)').option('--step <n>', 'checkpoint step (default: the latest)', num).option('--name <model>', 'catalog model name (default: the run name)').option('--deploy <endpoint>', 'deploy on this endpoint (created, or re-pointed)')
    .action(async (run: string, o: { step?: number; name?: string; deploy?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const out = expectOk<{ checkpoint: { step: number }; gguf: { path: string; bytes: number }; model: { name: string; version: number }; endpoint: string | null }>(await t.request('POST', `/api/v1/finetune/runs/${enc(run)}/export`, o));
        if (g.json) printJson(out);
        else process.stdout.write(`step ${out.checkpoint.step} → ${out.gguf.path} (${out.gguf.bytes} bytes) → model ${out.model.name}:${out.model.version}${out.endpoint ? ` → endpoint ${out.endpoint}` : ''}\n`);
      }),
    );
}
