/**
 * The peer of the LLM benchmark: node-llama-cpp called directly (LlamaCompletion) on the same GGUF, with the
 * same threads, context and prompt tokens as the endpoint, in its own process like the server.
 * Forked with IPC: message {gguf, threads, contextSize, prompt} loads; {maxNew} runs one greedy generation and
 * answers {tokens, seconds, ttft} (timed around generateCompletionWithMeta).
 */
import { LlamaCompletion, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { createLlamaContext, loadLlamaModel } from '../src/runtimes/llama.ts';

let model: LlamaModel;
let context: LlamaContext;
let completion: LlamaCompletion;
let prompt: ReturnType<LlamaModel['tokenize']>;

process.on('message', async (msg: { gguf?: string; threads?: number; contextSize?: number; prompt?: string; maxNew?: number; quit?: boolean }) => {
  if (msg.quit) {
    completion?.dispose();
    await context?.dispose();
    await model?.dispose();
    process.exit(0);
  }
  if (msg.gguf) {
    model = await loadLlamaModel(msg.gguf);
    context = await createLlamaContext(model, { threads: msg.threads!, contextSize: msg.contextSize! });
    completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    prompt = model.tokenize(msg.prompt!, true);
    process.send!({ ready: true });
    return;
  }
  const t0 = performance.now();
  let first: number | null = null;
  let tokens = 0;
  await completion.generateCompletionWithMeta(prompt, {
    maxTokens: msg.maxNew,
    temperature: 0,
    repeatPenalty: false,
    onToken: (t) => {
      first ??= performance.now();
      tokens += t.length;
    },
  });
  process.send!({ tokens, seconds: (performance.now() - t0) / 1000, ttft: first === null ? null : (first - t0) / 1000 });
});
