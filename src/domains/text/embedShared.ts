/**
 * Sentence embeddings of many texts (a `text.tune` stackEncoder's training part) on every core: the texts, sorted by
 * length so each batch pads little, are cut into fixed chunks that this thread and each scoring thread claim in turn
 * (`embedders`: this thread's `embedTexts` and the pool's `embed`), longest chunk first — a text's cost grows faster
 * than its length, and a long chunk claimed last would leave the other threads idle. The chunks — and so the
 * encoder's batches — are the same whoever embeds them, so the result does not depend on the thread count. Every row lands in this
 * thread's cache too (`rememberEmbeddings`): the refit and the measurement that follow look them up.
 */
import { ENCODER_DIM, rememberEmbeddings, type EmbedOptions } from '../../ml/text/sentenceEncoder.ts';

/** Texts per claimed chunk (2 encoder batches: ~5 s of one core on jigsaw comments). */
const CHUNK = 100;

export type Embedder = (texts: string[]) => Promise<Float32Array>;

export async function embedShared(texts: readonly string[], embedders: readonly Embedder[], o: EmbedOptions = {}): Promise<Float32Array> {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const out = new Float32Array(texts.length * ENCODER_DIM);
  let chunk = Math.ceil(order.length / CHUNK), done = 0;
  const work = async (embed: Embedder) => {
    while (chunk > 0) {
      o.signal?.throwIfAborted();
      chunk--;
      const ids = order.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
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
