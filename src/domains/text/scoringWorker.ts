/**
 * A text scoring thread's task: score documents with a model it loaded once from the model file's bytes (a
 * SharedArrayBuffer the main thread posts with every task: shared, never copied). Models are kept by id; a task
 * naming the same id with another key (the model was reloaded, e.g. its thresholds changed) replaces it. The model's
 * arrays (idf, n-gram look-up tables) are views into those shared bytes: one copy in memory for all threads.
 */
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { FusedTextScorer, scoreTexts } from '../../ml/text/fusedScorer.ts';
import { warmUpTextScoring } from '../../ml/text/warmUp.ts';
import { embedTexts } from '../../ml/text/sentenceEncoder.ts';
import { scoreClaimed, type SharedChunks } from './sharedChunks.ts';

export interface ScoreTask {
  modelId: string;
  key: string;
  bytes: SharedArrayBuffer;
  texts: string[];
  /**
   * A batch's shared work (sharedChunks.ts): `texts` is the whole run and the thread scores the chunks it claims
   * into the shared scores, then answers an empty array.
   */
  chunks?: SharedChunks;
  /**
   * The look-up key filters of the model this process loaded from `bytes` (TextClassifierModel.lookupFilters): that
   * load checked the bytes, so the thread's load does not scan them again.
   */
  filters?: (Int32Array | null)[];
  /** Answer the texts' sentence embeddings (texts × ENCODER_DIM; sentenceEncoder.ts) instead of scores: no model. */
  embed?: boolean;
}

const MAX_MODELS = 4;
const loaded = new Map<string, { key: string; scorer: FusedTextScorer }>();

function scorerFor(task: ScoreTask): FusedTextScorer {
  let entry = loaded.get(task.modelId);
  if (entry?.key !== task.key) {
    entry = { key: task.key, scorer: new FusedTextScorer(TextClassifierModel.deserialize(new Uint8Array(task.bytes), true, task.filters ? { filters: task.filters } : undefined)) };
    loaded.delete(task.modelId);
    if (loaded.size >= MAX_MODELS) loaded.delete(loaded.keys().next().value!);
  } else loaded.delete(task.modelId); // re-inserted below: Map order is LRU order
  loaded.set(task.modelId, entry);
  return entry.scorer;
}

let warmed = false;

/**
 * Probabilities, texts × labels. An empty task is the pool's start-up ping: the thread warms its JIT (warmUp.ts), once.
 * A model with a sentence-encoder block is answered asynchronously (its texts are embedded on this thread first).
 */
export default function score(task: ScoreTask): Float32Array | Promise<Float32Array> {
  if (task.texts.length === 0) {
    if (!warmed) warmUpTextScoring();
    warmed = true;
    return new Float32Array(0);
  }
  if (task.embed) return embedTexts(task.texts);
  const scorer = scorerFor(task);
  // the batch job scores such a model in order, never as shared chunks (batch.ts); were it sent some, answering every
  // document's scores is what the shared path accepts from a thread that does not claim
  if (scorer.needsEmbeddings) return scoreTexts(scorer, task.texts);
  if (task.chunks) {
    scoreClaimed(task.chunks, task.texts, scorer.nLabels, (texts, out) => scorer.score(texts, out));
    return new Float32Array(0);
  }
  return scorer.score(task.texts);
}

