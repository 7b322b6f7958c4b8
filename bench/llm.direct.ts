/**
 * The peer of the LLM benchmark: node-llama-cpp called directly (LlamaCompletion) on the same GGUF, with the
 * same threads, context and prompt tokens as the endpoint, in its own process like the server.
 * Forked with IPC: message {gguf, threads, contextSize, prompt} loads; {maxNew} runs one greedy generation and
 * (with `stream: true` the text is taken piece by piece through onTextChunk, as a streaming server must) and
 * answers {tokens, seconds, ttft, cpuMs} (timed around generateCompletionWithMeta; CPU time of the process).
 */
import { LlamaCompletion, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { createLlamaContext, loadLlamaModel } from '../src/runtimes/llama.ts';

let model: LlamaModel;
let context: LlamaContext;
let completion: LlamaCompletion;
let prompt: ReturnType<LlamaModel['tokenize']>;

process.on('message', async (msg: { gguf?: string; threads?: number; contextSize?: number; prompt?: string; maxNew?: number; stream?: boolean; quit?: boolean }) => {
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
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let first: number | null = null;
  let tokens = 0;
  let text = '';
  await completion.generateCompletionWithMeta(prompt, {
    // Streaming the text as it comes (what a server must do) costs node-llama-cpp a detokenize per token.
    onTextChunk: msg.stream ? (t) => void (text += t) : undefined,
    maxTokens: msg.maxNew,
    temperature: 0,
    repeatPenalty: false,
    onToken: (t) => {
      first ??= performance.now();
      tokens += t.length;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  process.send!({ tokens, seconds, ttft: first === null ? null : (first - t0) / 1000, cpuMs: (c.user + c.system) / 1000 });
});
