/**
 * `sagebrush llm …` — LLM endpoints (C4/C5): register GGUF files, deploy them, generate (streamed to
 * stdout), chat (a REPL on stdin; pipe lines to script it) and infill.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CliError, expectOk, fromResponse, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;
const EULA_HEADER = { 'x-amzn-sagemaker-custom-attributes': 'accept_eula=true' };

interface LlmModel {
  id: string;
  name: string;
  version: number;
  status: string;
  meta: {
    license: string | null;
    requiresEula: boolean;
    source: { type: string; path?: string };
    gguf: { architecture: string; parameterCount: number; quantization: string; contextLength: number | null; chatTemplate: string | null; specialTokens: { fim: { template: string } | null } };
  };
}

export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}K`;
  return String(n);
}

/** Yields the `data:` payloads of a server-sent-events byte stream. */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<{ event?: string; data: string }> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield { event, data };
    }
  }
}

async function streamJson(t: Transport, path: string, body: unknown, headers: Record<string, string>, onEvent: (data: any) => void): Promise<void> {
  const res = await t.stream('POST', path, body, headers);
  if (res.status !== 200) throw fromResponse(await res.read());
  for await (const e of sseData(res.body)) {
    if (e.data === '[DONE]') break;
    const data = JSON.parse(e.data);
    if (e.event === 'error') throw new CliError(data.code ?? 'INTERNAL', data.detail ?? data.error?.message ?? 'stream failed', 2);
    onEvent(data);
  }
}

interface GenOptions {
  maxNewTokens?: string;
  temperature?: string;
  topP?: string;
  topK?: string;
  seed?: string;
  stop?: string[];
  acceptEula?: boolean;
  truncate?: boolean;
}

function genParams(o: GenOptions): Record<string, unknown> {
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const p: Record<string, unknown> = { max_new_tokens: num(o.maxNewTokens) ?? 128, temperature: num(o.temperature), top_p: num(o.topP), top_k: num(o.topK), seed: num(o.seed), stop: o.stop, truncate: o.truncate || undefined };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p;
}

function withGenOptions(cmd: Command): Command {
  return cmd
    .option('--max-new-tokens <n>', 'tokens to generate (default 128)')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)')
    .option('--top-p <p>', 'nucleus sampling')
    .option('--top-k <k>', 'top-k sampling')
    .option('--seed <n>', 'random seed')
    .option('--stop <text...>', 'stop sequences')
    .option('--truncate', 'drop the oldest prompt tokens when the prompt does not fit (default: error)')
    .option('--accept-eula', "accept the model's licence for this request");
}

function stats(r: { completion_tokens?: number; generated_tokens?: number; time_to_first_token?: number; tokens_per_second?: number; finish_reason?: string }): string {
  const n = r.completion_tokens ?? r.generated_tokens ?? 0;
  return `${n} tokens · ${(r.tokens_per_second ?? 0).toFixed(1)} tokens/s · first token ${((r.time_to_first_token ?? 0) * 1000).toFixed(0)} ms · ${r.finish_reason ?? ''}`;
}

export function registerLlmCommands(program: Command): void {
  const llm = program.command('llm').description('LLM endpoints: GGUF models, text generation, chat, infill');

  llm
    .command('register <file>')
    .description('Register a GGUF model (embedded: referenced in place unless --copy; with --url: uploaded unless --server-path)')
    .option('--name <name>', 'model name (default: from the file name)')
    .option('--license <id>', "licence id, e.g. llama2, apache-2.0, mit (default: the file's general.license)")
    .option('--requires-eula', 'require accept_eula before deploying / answering')
    .option('--no-requires-eula', 'never require accept_eula')
    .option('--copy', 'copy the file into the artifact store')
    .option('--server-path', 'with --url: FILE is a path on the server, not uploaded')
    .action(async (file: string, o: { name?: string; license?: string; requiresEula?: boolean; copy?: boolean; serverPath?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const { resolve } = await import('node:path');
        const eulaFlag = cmd.getOptionValueSource('requiresEula') === 'cli' ? o.requiresEula : undefined;
        let model: LlmModel;
        if (t.mode === 'remote' && !o.serverPath) {
          const fields = [...(o.name ? [{ name: 'name', value: o.name }] : []), ...(o.license ? [{ name: 'license', value: o.license }] : []), ...(eulaFlag !== undefined ? [{ name: 'requiresEula', value: String(eulaFlag) }] : [])];
          model = expectOk<LlmModel>(await t.upload('/api/v1/llm/models', file, fields));
        } else {
          model = expectOk<LlmModel>(await t.request('POST', '/api/v1/llm/models', { path: t.mode === 'embedded' ? resolve(file) : file, name: o.name, license: o.license, requiresEula: eulaFlag, copy: o.copy }));
        }
        if (g.json) return printJson(model);
        const m = model.meta.gguf;
        process.stdout.write(
          `registered ${model.name}:${model.version} — ${m.architecture}, ${formatParams(m.parameterCount)} parameters, ${m.quantization}, context ${m.contextLength ?? '?'}, ` +
            `chat template ${m.chatTemplate ? 'yes' : 'none'}, FIM ${m.specialTokens.fim?.template ?? 'none'}, licence ${model.meta.license ?? 'unknown'}${model.meta.requiresEula ? ' (accept_eula required)' : ''}\n`,
        );
      }),
    );

  llm.command('list').description('LLM models with their GGUF metadata').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: LlmModel[] }>(await t.request('GET', '/api/v1/llm/models?limit=200'));
      if (g.json) return printJson(page);
      printTable(
        ['model', 'arch', 'params', 'quant', 'context', 'FIM', 'licence', 'EULA', 'source'],
        page.items.map((m) => [`${m.name}:${m.version}`, m.meta.gguf?.architecture, m.meta.gguf ? formatParams(m.meta.gguf.parameterCount) : '', m.meta.gguf?.quantization, m.meta.gguf?.contextLength, m.meta.gguf?.specialTokens.fim?.template ?? '', m.meta.license ?? '', m.meta.requiresEula ? 'required' : '', m.meta.source?.type]),
      );
    }),
  );

  llm
    .command('deploy <model>')
    .description('Serve MODEL[:VERSION] as an LLM endpoint')
    .requiredOption('--name <name>', 'endpoint name')
    .option('--accept-eula', "accept the model's licence")
    .option('--threads <n>', 'CPU threads')
    .option('--context-size <n>', 'context window in tokens')
    .option('--max-queue <n>', 'requests that may wait (more get 429)')
    .option('--chat-template <name>', 'auto (default), llama2Chat, chatML, …')
    .action(async (model: string, o: { name: string; acceptEula?: boolean; threads?: string; contextSize?: string; maxQueue?: string; chatTemplate?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const config: Record<string, unknown> = {};
        if (o.acceptEula) config.acceptEula = true;
        if (o.threads) config.threads = Number(o.threads);
        if (o.contextSize) config.contextSize = Number(o.contextSize);
        if (o.maxQueue) config.maxQueue = Number(o.maxQueue);
        if (o.chatTemplate) config.chatTemplate = o.chatTemplate;
        const ep = expectOk<{ name: string; model: { name: string; version: number }; config: Record<string, unknown> }>(await t.request('POST', '/api/v1/endpoints', { name: o.name, model, config }));
        if (g.json) return printJson(ep);
        process.stdout.write(`endpoint ${ep.name} serves ${ep.model.name}:${ep.model.version} (context ${ep.config.contextSize}, queue ${ep.config.maxQueue})\n`);
      }),
    );

  withGenOptions(llm.command('generate <endpoint> <prompt>').description('Generate from a prompt, streamed to stdout (TGI payload)')).action(async (name: string, prompt: string, o: GenOptions, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const headers = o.acceptEula ? EULA_HEADER : {};
      const body = { inputs: prompt, parameters: { ...genParams(o), details: true }, ...(o.acceptEula ? { accept_eula: true } : {}) };
      if (g.json) return printJson(expectOk(await t.request('POST', `/api/v1/endpoints/${enc(name)}/invocations`, body)));
      let details: Record<string, number & string> = {} as never;
      await streamJson(t, `/api/v1/endpoints/${enc(name)}/invocations`, { ...body, stream: true }, headers, (e) => {
        if (e.generated_text === null) process.stdout.write(e.token.text);
        else details = e.details;
      });
      process.stdout.write('\n');
      process.stderr.write(`${stats(details)}\n`);
    }),
  );

  withGenOptions(llm.command('chat <endpoint>').description('Chat on stdin/stdout (one user message per line; /reset clears, /exit quits)'))
    .option('--system <text>', 'system prompt')
    .action(async (name: string, o: GenOptions & { system?: string }, cmd: Command) =>
      withTransport(cmd, async (t) => {
        const headers = o.acceptEula ? EULA_HEADER : {};
        const p = genParams(o);
        const history: Array<{ role: string; content: string }> = o.system ? [{ role: 'system', content: o.system }] : [];
        const tty = process.stdin.isTTY === true;
        const rl = createInterface({ input: process.stdin, terminal: tty });
        if (tty) process.stdout.write(`chatting with ${name} — /reset clears the history, /exit or Ctrl-D quits\n> `);
        for await (const raw of rl) {
          const line = raw.trim();
          if (line === '/exit') break;
          if (line === '/reset') {
            history.splice(o.system ? 1 : 0);
            if (tty) process.stdout.write('> ');
            continue;
          }
          if (line === '') continue;
          history.push({ role: 'user', content: line });
          let reply = '';
          let usage: Record<string, number> = {};
          await streamJson(
            t,
            '/v1/chat/completions',
            { model: name, messages: history, stream: true, max_tokens: p.max_new_tokens, temperature: p.temperature ?? 0, top_p: p.top_p, top_k: p.top_k, seed: p.seed, stop: p.stop, truncate: p.truncate },
            headers,
            (e) => {
              const piece = e.choices?.[0]?.delta?.content;
              if (piece) {
                reply += piece;
                process.stdout.write(piece);
              }
              if (e.usage) usage = { ...e.usage, ...(e.timings ?? {}), finish_reason: e.choices?.[0]?.finish_reason };
            },
          );
          process.stdout.write('\n');
          if (tty) process.stderr.write(`(${stats(usage as never)})\n> `);
          history.push({ role: 'assistant', content: reply });
        }
        rl.close();
      }),
    );

  withGenOptions(llm.command('infill <endpoint> <prefix> [suffix]').description('Fill in the middle between PREFIX and SUFFIX (code models)'))
    .option('--template <name>', 'force a FIM template: codellama, starcoder, deepseek, qwen, codestral')
    .action(async (name: string, prefix: string, suffix: string | undefined, o: GenOptions & { template?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const headers = o.acceptEula ? EULA_HEADER : {};
        const body = { prefix, suffix: suffix ?? '', parameters: { ...genParams(o), ...(o.template ? { template: o.template } : {}) }, ...(o.acceptEula ? { accept_eula: true } : {}) };
        if (g.json) return printJson(expectOk(await t.request('POST', `/api/v1/endpoints/${enc(name)}/infill`, body)));
        await streamJson(t, `/api/v1/endpoints/${enc(name)}/infill`, { ...body, stream: true }, headers, (e) => {
          if (e.done) process.stderr.write(`\n(${e.template}: ${stats({ ...e.usage, ...e.timings, finish_reason: e.finish_reason })})\n`);
          else process.stdout.write(e.text);
        });
      }),
    );
}
