/**
 * `sagebrush llm` as a user runs it (real processes, embedded store): register the tiny GGUF, deploy it,
 * stream a generation to stdout, and script the chat REPL by piping lines into stdin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';
import { TINY_GGUF, tinyModelMissing } from '../domains/llm/testing/tinyModel.ts';
import { sseData } from './llm.ts';

const { cli, cleanup } = createCliSandbox('llm');
afterAll(cleanup);

describe('SSE parsing', () => {
  it('yields data payloads split across chunks, with event names', async () => {
    const enc = new TextEncoder();
    async function* body() {
      yield enc.encode('data: {"a":1}\n\ndata: {"b"');
      yield enc.encode(':2}\n\nevent: error\ndata: {"c":3}\n\ndata: [DONE]\n\n');
    }
    const out = [];
    for await (const e of sseData(body())) out.push(e);
    expect(out).toEqual([{ event: undefined, data: '{"a":1}' }, { event: undefined, data: '{"b":2}' }, { event: 'error', data: '{"c":3}' }, { event: undefined, data: '[DONE]' }]);
  });
});

describe.skipIf(tinyModelMissing() !== null)('sagebrush llm (embedded store)', () => {
  it('registers, deploys, generates (streamed) and chats from piped stdin', async () => {
    const reg = await cli(['--json', 'llm', 'register', TINY_GGUF, '--name', 'stories', '--license', 'mit']);
    expect(reg.code, reg.stderr).toBe(0);
    expect(JSON.parse(reg.stdout)).toMatchObject({ name: 'stories', version: 1, kind: 'llm', meta: { license: 'mit', requiresEula: false, gguf: { architecture: 'llama', contextLength: 512 } } });

    const dep = await cli(['llm', 'deploy', 'stories', '--name', 'tiny', '--threads', '1', '--context-size', '256']);
    expect(dep.code, dep.stderr).toBe(0);
    expect(dep.stdout).toMatch(/^endpoint tiny serves stories:1 \(context 256/);

    const gen = await cli(['llm', 'generate', 'tiny', 'Once upon a time', '--max-new-tokens', '12']);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/^, there was a little girl/);
    expect(gen.stderr).toMatch(/12 tokens · [\d.]+ tokens\/s · first token \d+ ms · length/);

    const chat = await cli(['llm', 'chat', 'tiny', '--max-new-tokens', '6', '--system', 'You tell stories.'], 'Tell me a story\n\n/reset\nAnother one\n/exit\nignored\n');
    expect(chat.code, chat.stderr).toBe(0);
    const replies = chat.stdout.split('\n').filter((l) => l !== '');
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.length).toBeLessThanOrEqual(2);

    const bad = await cli(['llm', 'generate', 'tiny', 'Once upon a time', '--max-new-tokens', '400']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error LLM_CONTEXT_OVERFLOW: .*prompt is 5 tokens \+ max_new_tokens 400 = 405 > context 256, 149 too many/);
  }, 120_000);
});
