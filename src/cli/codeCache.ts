/**
 * When the CLI runs from its bundle, bin/bundle.js keeps V8's code cache for it (ADR 0008) and leaves a checkpoint
 * function on globalThis: called once a command has started up and is about to hand over to its main job, it saves
 * the code compiled so far (start-up, app, imports) before V8 flushes the bytecode of functions that stop running.
 * From the sources or the per-file build there is no such function, and this does nothing.
 */
const CHECKPOINT = Symbol.for('sagebrush.codeCacheCheckpoint');

export function codeCacheCheckpoint(): void {
  const checkpoint = (globalThis as Record<symbol, unknown>)[CHECKPOINT];
  if (typeof checkpoint === 'function') checkpoint();
}
