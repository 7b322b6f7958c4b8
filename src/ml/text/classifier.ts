/**
 * High-level text classifier: word + char_wb tf-idf blocks (each L2-normalised, then side by side, as the
 * scikit-learn peer's hstack of two TfidfVectorizers) and one-vs-rest L2 logistic regression by dual coordinate
 * descent. Multi-label scores are independent probabilities; multi-class scores are the one-vs-rest
 * probabilities normalised to sum to 1 per row (sklearn's liblinear behaviour).
 */
import { csrFromDense, hstack, type Csr } from '../sparse/csr.ts';
import { fitLogisticRegression, predictProba, type ClassMode, type FitInfo, type LinearModel } from '../linear/logreg.ts';
import { labelMatrix } from '../metrics/classification.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';
import { isStacked as stacked, perLabelC, perLabelClassWeight, resolveTextClassifierOptions, vectorizerConfigs, type TextClassifierOptions } from './options.ts';
import { fitStackedModel } from './stackFit.ts';
import { defaultTrainThreads, fitVectorizers, startTrainThreads } from './parallelTrain.ts';
import { packSections, unpackSections, f32Bytes, bytesF32 } from '../serialize.ts';
import { lookupSections, storedLookupTable } from './lookupTables.ts';
import { modelWordColumns, storedWordColumns, wordColumnSections } from './wordColumns.ts';
import { ShapeBlock, type ShapeBlockJson } from './shape.ts';
import { checkEncoder, embedTexts, ENCODER_DIM, type EncoderBlockJson } from './sentenceEncoder.ts';

export interface TrainTextClassifierInput {
  texts: readonly string[];
  /** Label indices (into labelNames) per document: exactly one in 'multi-class' mode, any number in 'multi-label'. */
  labels: readonly (readonly number[])[];
  labelNames: readonly string[];
  mode: ClassMode;
  options?: Partial<TextClassifierOptions>;
  /** Called with the overall fraction done (0..1) and a short stage message. */
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
  /** Threads for the stacked model's fits (this one included); the model is the same for any value. Default 2 (1 on one core). */
  threads?: number;
  /** Called with the fitted vectorizers before the linear model is fitted (heldOut.ts featurizes test texts meanwhile). */
  onVectorizers?: (vectorizers: readonly TfidfVectorizer[]) => void;
}

export interface TrainingInfo extends FitInfo {
  nDocuments: number;
  nWordFeatures: number;
  nCharFeatures: number;
}

export class TextClassifierModel {
  constructor(
    readonly mode: ClassMode,
    readonly labelNames: readonly string[],
    readonly options: Readonly<TextClassifierOptions>,
    /** Fitted vectorizers in column order (word block first when enabled). */
    readonly vectorizers: readonly TfidfVectorizer[],
    readonly linear: LinearModel,
    readonly info: Readonly<TrainingInfo>,
    /** Per-document shape features (shape.ts; text.tune stackShape), columns after every vectorizer block (and the encoder's). */
    readonly shape: ShapeBlock | null = null,
    /**
     * The sentence encoder's embedding (sentenceEncoder.ts; text.tune stackEncoder), ENCODER_DIM dense columns after
     * the vectorizer blocks: its scores need the texts' embeddings (`predictTexts`, asynchronous).
     */
    readonly encoder: EncoderBlockJson | null = null,
  ) {}

  get nLabels(): number {
    return this.labelNames.length;
  }

  /** The feature matrix the model scores (useful for analysis and tests); `embedded`: as for `predict`. */
  vectorize(texts: readonly string[], embedded?: Float32Array): Csr {
    const blocks = this.blocks(texts, new Map(), embedded);
    return blocks.length === 1 ? blocks[0] : hstack(blocks);
  }

  /**
   * Each block's columns for `texts`, in the weights' order (the vectorizers', the encoder's, the shape block's);
   * `transformed`: vectorizer blocks already transformed elsewhere (the CLI's held-out thread), by block index;
   * `embedded`: the texts' sentence embeddings (rows × ENCODER_DIM), needed when the model has an encoder block.
   */
  blocks(texts: readonly string[], transformed: ReadonlyMap<number, Csr> = new Map(), embedded?: Float32Array): Csr[] {
    const blocks = this.vectorizers.map((v, b) => transformed.get(b) ?? v.transform(texts));
    if (this.encoder) blocks.push(csrFromDense(checkedEmbeddings(embedded, texts.length), texts.length, ENCODER_DIM));
    if (this.shape) blocks.push(this.shape.transform(texts));
    return blocks;
  }

  /**
   * Probabilities, rows × labels (row-major), in labelNames order. A model with an encoder block needs the texts'
   * embeddings (`embedded`); `predictTexts` computes them.
   */
  predict(texts: readonly string[], embedded?: Float32Array): Float32Array {
    checkTexts(texts);
    // blocks are scored side by side without building their hstack
    return predictProba(this.linear, this.blocks(texts, new Map(), embedded), this.mode);
  }

  serialize(): Buffer {
    const sections: Record<string, Uint8Array> = { weights: f32Bytes(this.linear.weights) };
    const blocks = this.vectorizers.map((v, b) => {
      sections[`terms${b}`] = Buffer.from(v.terms.join('\n'), 'utf8');
      sections[`idf${b}`] = f32Bytes(v.idf);
      return { config: v.config, nTerms: v.nFeatures };
    });
    // the n-gram look-up tables as they are in memory: loading (in every scoring thread) copies, never rebuilds
    const lookup = lookupSections(this.vectorizers.map((v) => v.lookupTable));
    Object.assign(sections, lookup.sections);
    // the char_wb columns of the word block's words, so a cold scoring thread does not compute them (wordColumns.ts)
    const words = wordColumnSections(this.vectorizers);
    if (words) Object.assign(sections, words.sections);
    const header = {
      kind: 'text-classifier', mode: this.mode, labelNames: this.labelNames, options: this.options, info: this.info, blocks,
      linear: { nFeatures: this.linear.nFeatures, nLabels: this.linear.nLabels, interceptScaling: this.linear.interceptScaling },
      lookup: lookup.header,
      ...(words ? { wordColumns: words.header } : {}),
      ...(this.shape ? { shape: this.shape.toJSON() } : {}),
      ...(this.encoder ? { encoder: this.encoder } : {}),
    };
    return packSections(header, sections);
  }

  /**
   * Each block's look-up key filter (NgramHashTable.keyFilter; null where the block has none), in shared memory: what
   * a scoring thread passes back to `deserialize` as `checked.filters` when it loads the same bytes.
   */
  lookupFilters(): (Int32Array | null)[] {
    return this.vectorizers.map((v) => v.lookupTable.keyFilter);
  }

  /**
   * With `views`, the model's arrays are views into `buf` (e.g. shared by scoring threads), which must then never be
   * written. `checked`: `buf` holds exactly the bytes of a model this process already loaded (and so checked) from
   * them, and `filters` are that model's `lookupFilters()`: the stored tables are not scanned again (a scoring
   * thread's load of the shared model file: the one real integrity check was the first load's).
   */
  static deserialize(buf: Uint8Array, views = false, checked?: { filters: readonly (Int32Array | null)[] }): TextClassifierModel {
    const { header: h, section } = unpackSections(buf, 'text classifier', views);
    if (h.kind !== 'text-classifier') throw new Error(`text classifier: the file holds a ${String(h.kind)}, not a text classifier`);
    const blocks = h.blocks as { config: VectorizerConfig; nTerms: number }[];
    const vectorizers = blocks.map((b, k) => {
      const idf = bytesF32(section(`idf${k}`));
      if (idf.length !== b.nTerms) throw new Error(`text classifier: block ${k} has ${idf.length} idf values, header says ${b.nTerms} terms`);
      return TfidfVectorizer.fromUtf8Terms(b.config, section(`terms${k}`), idf, storedLookupTable(h.lookup, section, k, b.nTerms, checked?.filters[k]));
    });
    const lin = h.linear as { nFeatures: number; nLabels: number; interceptScaling: number };
    const weights = bytesF32(section('weights'));
    if (weights.length !== (lin.nFeatures + 1) * lin.nLabels) throw new Error('text classifier: weight section size does not match the header');
    const options = resolveTextClassifierOptions(h.options as TextClassifierOptions);
    const shape = h.shape === undefined ? null : ShapeBlock.fromJSON(h.shape as ShapeBlockJson);
    const encoder = h.encoder === undefined ? null : (h.encoder as EncoderBlockJson);
    if (encoder) checkEncoder(encoder);
    const columns = vectorizers.reduce((s, v) => s + v.nFeatures, 0) + (encoder?.dim ?? 0) + (shape?.nFeatures ?? 0);
    if (columns !== lin.nFeatures) throw new Error(`text classifier: the blocks have ${columns} columns, the linear model ${lin.nFeatures} features`);
    const model = new TextClassifierModel(h.mode as ClassMode, h.labelNames as string[], options, vectorizers, { ...lin, weights }, h.info as TrainingInfo, shape, encoder);
    modelWordColumns.set(model, storedWordColumns(h.wordColumns, section, vectorizers, checked !== undefined));
    return model;
  }
}

/** Plain one-vs-rest fit, or (nbWords / stackFolds) the stacked model of stack.ts folded into one linear model. */
function fitLinear(blocks: Csr[], Y: Uint8Array, labelNames: readonly string[], o: TextClassifierOptions, threads: number, signal: AbortSignal | undefined, onProgress: (f: number) => void): { model: LinearModel; info: FitInfo } {
  const base = { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal }, L = labelNames.length;
  if (!stacked(o)) return fitLogisticRegression(blocks, Y, L, { ...base, labelC: perLabelC(o, labelNames), labelClassWeight: perLabelClassWeight(o, labelNames), onProgress });
  const nbBlock = o.nbWords && o.wordNgram ? 0 : -1;
  const splitBlocks = o.blendWordChar && blocks.length === 2;
  return fitStackedModel(blocks, Y, L, { ...base, nbBlock, splitBlocks, stackFolds: o.stackFolds, stackC: o.stackC, stackRefit: o.stackRefit, threads, onProgress });
}

/** `model.predict(texts)`, with the texts' sentence embeddings computed first when the model has an encoder block. */
export async function predictTexts(model: TextClassifierModel, texts: readonly string[]): Promise<Float32Array> {
  checkTexts(texts);
  return model.predict(texts, model.encoder ? await embedTexts(texts) : undefined);
}

function checkedEmbeddings(embedded: Float32Array | undefined, rows: number): Float32Array {
  if (!embedded) throw new Error('text classifier: this model has a sentence-encoder block; score it with predictTexts (its texts must be embedded first)');
  if (embedded.length !== rows * ENCODER_DIM) throw new Error(`text classifier: ${embedded.length / ENCODER_DIM} embeddings for ${rows} texts`);
  return embedded;
}

function checkTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new Error('texts: expected an array of strings');
  for (let i = 0; i < texts.length; i++) if (typeof texts[i] !== 'string') throw new Error(`texts[${i}]: expected a string, got ${typeof texts[i]}`);
}

function checkInput(input: TrainTextClassifierInput): void {
  const { texts, labels, labelNames, mode } = input;
  checkTexts(texts);
  if (texts.length === 0) throw new Error('texts: at least one document is needed to train');
  if (mode !== 'multi-label' && mode !== 'multi-class') throw new Error(`mode: expected 'multi-label' or 'multi-class', got ${JSON.stringify(mode)}`);
  if (!Array.isArray(labelNames) || labelNames.length === 0) throw new Error('labelNames: at least one label name is needed');
  if (new Set(labelNames).size !== labelNames.length) throw new Error('labelNames: names must be unique');
  if (mode === 'multi-class' && labelNames.length < 2) throw new Error('labelNames: multi-class mode needs at least two classes');
  if (!Array.isArray(labels) || labels.length !== texts.length) throw new Error(`labels: expected one label list per text (${texts.length}), got ${Array.isArray(labels) ? labels.length : typeof labels}`);
  for (let i = 0; i < labels.length; i++) {
    const ls = labels[i];
    if (!Array.isArray(ls)) throw new Error(`labels[${i}]: expected an array of label indices`);
    if (mode === 'multi-class' && ls.length !== 1) throw new Error(`labels[${i}]: multi-class mode needs exactly one label per document, got ${ls.length}`);
    for (const l of ls) {
      if (!(Number.isInteger(l) && l >= 0 && l < labelNames.length)) throw new Error(`labels[${i}]: label index ${l} is not in 0..${labelNames.length - 1}`);
    }
  }
}

/** Fits vectorizers and a one-vs-rest logistic regression. Throws an Error named 'AbortError' when `signal` aborts. */
export function trainTextClassifier(input: TrainTextClassifierInput): TextClassifierModel {
  checkInput(input);
  const o = resolveTextClassifierOptions(input.options);
  const { texts, signal } = input, progress = input.onProgress;
  const threads = input.threads ?? defaultTrainThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads: expected an integer ≥ 1, got ${JSON.stringify(threads)}`);
  // the workers boot while this thread builds the features
  if (threads > 1 && stacked(o)) startTrainThreads(threads);
  const configs = vectorizerConfigs(o);
  // rough shares of the work: char features cost ~3× word features; the solver about as much as both
  const share = configs.map((c) => (c.analyzer === 'word' ? 1 : 3));
  const total = share.reduce((a, b) => a + b, 0);
  // each block's own fraction done, summed by share: monotone whichever thread fits which block in which order
  const doneOf = share.map(() => 0);
  const fitted = fitVectorizers(texts, configs, threads, (b) => ({
    signal,
    onProgress: (f) => {
      doneOf[b] = f;
      progress?.((0.5 * doneOf.reduce((a, x, k) => a + x * share[k]!, 0)) / total, `${configs[b]!.analyzer} features`);
    },
  }));
  const vectorizers = fitted.map((r) => r.vectorizer), blocks = fitted.map((r) => r.matrix);
  if (blocks.every((b) => b.nCols === 0)) throw new Error(`texts: no n-gram occurs in at least minDf = ${o.minDf} documents; add documents or lower minDf`);
  input.onVectorizers?.(vectorizers);
  const Y = labelMatrix(input.labels, input.labelNames.length);
  const { model, info } = fitLinear(blocks, Y, input.labelNames, o, threads, signal, (f) => progress?.(0.5 + 0.5 * f, 'training'));
  const nWord = o.wordNgram ? vectorizers[0].nFeatures : 0;
  const nChar = o.charNgram ? vectorizers[vectorizers.length - 1].nFeatures : 0;
  return new TextClassifierModel(input.mode, [...input.labelNames], o, vectorizers, model, { ...info, nDocuments: texts.length, nWordFeatures: nWord, nCharFeatures: nChar });
}
