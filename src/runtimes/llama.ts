/**
 * llama.cpp adapter (node-llama-cpp): one process-wide `Llama` binding (CPU, prebuilt binaries only, never
 * a build), GGUF metadata reading, model + context loading, and tokenization the way llama-server does it
 * (the tokenizer's own space prefix; special tokens parsed in prompts; BOS added when the model asks for it).
 * Thread counts are always explicit: node-llama-cpp's default was ~1000× slower on a loaded 2-core machine.
 */
import { availableParallelism } from 'node:os';
import { checkGgufHeader } from './ggufHeader.ts';
import type { GgufFileInfo, Llama, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';

export type { GgufFileInfo, LlamaContext, LlamaModel, Token };

type LlamaCpp = typeof import('node-llama-cpp');
let lib: LlamaCpp | undefined;
let libPromise: Promise<LlamaCpp> | undefined;

/**
 * node-llama-cpp, imported on first use: loading it costs ~0.4 s of CPU, which every CLI command and server
 * start paid before although most never touch an LLM (issue 17). Only type imports of it stay static.
 */
export function loadLlamaCpp(): Promise<LlamaCpp> {
  libPromise ??= import('node-llama-cpp').then((m) => (lib = m));
  return libPromise;
}

/**
 * The library for synchronous code that holds a model, context or GGUF info (all of which come from the
 * functions below, after loadLlamaCpp() has resolved).
 */
export function llamaCpp(): LlamaCpp {
  if (!lib) throw new Error('node-llama-cpp is not loaded yet: await loadLlamaCpp() first');
  return lib;
}

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide llama.cpp binding (loaded once; CPU only; prebuilt binaries, no source build). */
export function llamaBinding(): Promise<Llama> {
  llamaPromise ??= loadLlamaCpp().then(({ getLlama, LlamaLogLevel }) => getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false })).catch((err: unknown) => {
    llamaPromise = undefined;
    throw err;
  });
  return llamaPromise;
}

/**
 * A sensible default thread count: 1 on machines with ≤ 2 cores (llama.cpp's spinning threads fight over
 * busy cores and get dramatically slower), otherwise half the cores up to 8.
 */
export function defaultThreads(cores = availableParallelism()): number {
  if (cores <= 2) return 1;
  return Math.min(8, Math.floor(cores / 2));
}

/**
 * Reads a GGUF file's header: metadata (tokenizer arrays included) and tensor descriptions. The header is
 * walked with bounds checks first (checkGgufHeader): node-llama-cpp's reader never returns on a truncated one.
 */
export async function readGguf(path: string): Promise<GgufFileInfo> {
  await checkGgufHeader(path);
  const { readGgufFileInfo } = await loadLlamaCpp();
  return readGgufFileInfo(path, { readTensorInfo: true, sourceType: 'filesystem', logWarnings: false });
}

export async function loadLlamaModel(path: string): Promise<LlamaModel> {
  const llama = await llamaBinding();
  return llama.loadModel({ modelPath: path, gpuLayers: 0 });
}

export interface ContextOptions {
  threads: number;
  contextSize: number;
  /** Parallel sequences (requests generated at once in one batch). */
  sequences?: number;
}

export async function createLlamaContext(model: LlamaModel, options: ContextOptions): Promise<LlamaContext> {
  return model.createContext({
    contextSize: options.contextSize,
    threads: options.threads,
    sequences: options.sequences ?? 1,
    batchSize: Math.min(options.contextSize, 512),
  });
}

/**
 * The first token llama.cpp prepends to a prompt (BOS for most SentencePiece/BPE models), or null.
 * Mirrors node-llama-cpp's own rule so our counts match what the model sees.
 */
export function beginningToken(model: LlamaModel): Token | null {
  return model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
}

/** Tokenizes prompt text as llama-server does: special-token text parsed, tokenizer space prefix kept, no BOS. */
export function tokenizePrompt(model: LlamaModel, text: string): Token[] {
  return model.tokenize(text, true);
}

/** Plain text continuing earlier tokens (no SentencePiece space prefix), special-token text NOT parsed. */
export function tokenizeContinuation(model: LlamaModel, text: string): Token[] {
  return model.tokenize(text, false, 'trimLeadingSpace');
}

/** Plain user text (special-token text NOT parsed, so users cannot inject control tokens). */
export function tokenizePlain(model: LlamaModel, text: string): Token[] {
  return model.tokenize(text, false);
}
