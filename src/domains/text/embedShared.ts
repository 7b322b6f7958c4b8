/**
 * Sentence embeddings of many texts (a `text.tune` stackEncoder's training part) on every core: the texts, sorted by
 * length so each batch pads little, are cut into fixed chunks that this thread and each scoring thread claim in turn
 * (`embedders`: this thread's `embedTexts` and the pool's `embed`). The chunks — and so the encoder's batches — are
 * the same whoever embeds them, so the result does not depend on the thread count. Every row lands in this
 * thread's cache too (`rememberEmbeddings`): the refit and the measurement that follow look them up.
 */
import { ENCODER_DIM, rememberEmbeddings, type EmbedOptions } from '../../ml/text/sentenceEncoder.ts';

/** Texts per claimed chunk (~4 encoder batches: ~10 s of one core on jigsaw comments). */
const CHUNK = 200;

export type Embedder = (texts: string[]) => Promise<Float32Array>;

export async function embedShared(texts: readonly string[], embedders: readonly Embedder[], o: EmbedOptions = {}): Promise<Float32Array> {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const out = new Float32Array(texts.length * ENCODER_DIM);
  let next = 0, done = 0;
  const work = async (embed: Embedder) => {
    while (next < order.length) {
      o.signal?.throwIfAborted();
      const ids = order.slice(next, (next = Math.min(order.length, next + CHUNK)));
      const part = ids.map((i) => texts[i]!), E = await embed(part);
      if (E.length !== ids.length * ENCODER_DIM) throw new Error(`sentence encoder: ${E.length / ENCODER_DIM} embeddings for ${ids.length} texts`);
      ids.forEach((i, r) => out.set(E.subarray(r * ENCODER_DIM, (r + 1) * ENCODER_DIM), i * ENCODER_DIM));
      rememberEmbeddings(part, E);
      done += ids.length;
      await o.onProgress?.(done);
    }
  };
  await Promise.all(embedders.map(work));
  return out;
}
