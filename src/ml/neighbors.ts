/**
 * Cosine nearest neighbours and a k-NN out-of-distribution scorer (Sun, Ming, Zhu & Li 2022, "Out-of-distribution
 * detection with deep nearest neighbors": the distance to the k-th nearest training embedding, thresholded at a
 * high quantile of the same distance on the training set itself).
 * Cosine similarity of a zero vector with anything is 0 (distance 1). Ties keep the lower row index first.
 */

export interface OodModel {
  kind: 'knn-cosine';
  k: number;
  /** Distance above which a query is flagged: the `quantile` of trainDistances (numpy linear interpolation). */
  threshold: number;
  quantile: number;
  /** Leave-one-out k-th nearest neighbour cosine distance of every training row, ascending. */
  trainDistances: number[];
}

function norms(X: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j] * X[i * d + j];
    out[i] = Math.sqrt(s);
  }
  return out;
}

function checkMatrix(fn: string, X: ArrayLike<number>, n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new Error(`${fn}: n and d must be positive integers (got n=${n}, d=${d})`);
  if (X.length !== n * d) throw new Error(`${fn}: X has ${X.length} values, expected n×d = ${n}×${d} = ${n * d}`);
}

/** Cosine similarity of query with every row of X. */
function similarities(query: ArrayLike<number>, X: ArrayLike<number>, n: number, d: number, rowNorms: Float64Array): Float64Array {
  let qn = 0;
  for (let j = 0; j < d; j++) qn += query[j] * query[j];
  qn = Math.sqrt(qn);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (qn === 0 || rowNorms[i] === 0) continue;
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += query[j] * X[o + j];
    out[i] = s / (qn * rowNorms[i]);
  }
  return out;
}

/** The k rows of X (n × d) most cosine-similar to query (length d), most similar first. */
export function nearestNeighbors(query: ArrayLike<number>, X: ArrayLike<number>, n: number, d: number, k: number): { index: number; similarity: number }[] {
  checkMatrix('nearestNeighbors', X, n, d);
  if (query.length !== d) throw new Error(`nearestNeighbors: query has ${query.length} values, expected d = ${d}`);
  const sim = similarities(query, X, n, d, norms(X, n, d));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sim[b] - sim[a] || a - b);
  return order.slice(0, Math.max(0, Math.min(k, n))).map((index) => ({ index, similarity: sim[index] }));
}

/** numpy.quantile(values, q) with the default 'linear' method; values ascending. */
function quantileSorted(values: readonly number[], q: number): number {
  const pos = (values.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return values[lo] + (values[hi] - values[lo]) * (pos - lo);
}

/** k-th smallest of the distances 1 − sim, skipping row `skip` (−1: none). */
function kthDistance(sim: Float64Array, k: number, skip: number): number {
  const dist: number[] = [];
  for (let i = 0; i < sim.length; i++) if (i !== skip) dist.push(1 - sim[i]);
  dist.sort((a, b) => a - b);
  return dist[Math.min(k, dist.length) - 1];
}

/** Leave-one-out k-th NN cosine distances of the training rows; threshold at `quantile` (default k 5, quantile 0.99). */
export function fitOod(X: ArrayLike<number>, n: number, d: number, options: { k?: number; quantile?: number } = {}): OodModel {
  checkMatrix('fitOod', X, n, d);
  if (n < 2) throw new Error('fitOod: needs at least 2 training rows');
  const quantile = options.quantile ?? 0.99;
  if (!(quantile > 0 && quantile <= 1)) throw new Error(`fitOod: quantile must be in (0, 1] (got ${quantile})`);
  const kReq = options.k ?? 5;
  if (!(Number.isInteger(kReq) && kReq >= 1)) throw new Error(`fitOod: k must be an integer ≥ 1 (got ${kReq})`);
  const k = Math.min(kReq, n - 1);
  const rowNorms = norms(X, n, d), row = new Float64Array(d);
  const trainDistances: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = X[i * d + j];
    trainDistances.push(kthDistance(similarities(row, X, n, d, rowNorms), k, i));
  }
  trainDistances.sort((a, b) => a - b);
  return { kind: 'knn-cosine', k, threshold: quantileSorted(trainDistances, quantile), quantile, trainDistances };
}

/**
 * The query's k-th NN cosine distance to the training rows X (the same rows fitOod saw), whether it exceeds the
 * threshold, and its percentile (0–100) among the training rows' own distances.
 */
export function oodScore(model: OodModel, query: ArrayLike<number>, X: ArrayLike<number>, n: number, d: number): { distance: number; threshold: number; outOfDistribution: boolean; percentile: number } {
  checkMatrix('oodScore', X, n, d);
  if (query.length !== d) throw new Error(`oodScore: query has ${query.length} values, expected d = ${d}`);
  const distance = kthDistance(similarities(query, X, n, d, norms(X, n, d)), model.k, -1);
  const below = model.trainDistances.filter((t) => t <= distance).length;
  const percentile = model.trainDistances.length ? (100 * below) / model.trainDistances.length : 0;
  return { distance, threshold: model.threshold, outOfDistribution: distance > model.threshold, percentile };
}
