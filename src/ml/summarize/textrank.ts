/**
 * TextRank (Mihalcea & Tarau 2004) over sentences: weighted PageRank on the graph whose edge weights are
 * sentence similarities. Power iteration with damping 0.85 until the L1 change is below `tol`.
 */
export function pagerank(n: number, similarity: (a: number, b: number) => number, options: { damping?: number; tol?: number; maxIter?: number } = {}): number[] {
  if (n === 0) return [];
  const d = options.damping ?? 0.85;
  const tol = options.tol ?? 1e-6;
  const maxIter = options.maxIter ?? 100;
  // Sparse adjacency: in-neighbours of each node with the edge weight.
  const nbr: number[][] = Array.from({ length: n }, () => []);
  const wt: number[][] = Array.from({ length: n }, () => []);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = similarity(i, j);
      if (s > 0) {
        nbr[i]!.push(j);
        wt[i]!.push(s);
        nbr[j]!.push(i);
        wt[j]!.push(s);
        out[i] += s;
        out[j] += s;
      }
    }
  }
  let r = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    // Dangling nodes (no similar sentence) spread their rank uniformly.
    let dangling = 0;
    for (let j = 0; j < n; j++) if (out[j] === 0) dangling += r[j]!;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const ns = nbr[i]!;
      const ws = wt[i]!;
      for (let k = 0; k < ns.length; k++) s += (ws[k]! / out[ns[k]!]!) * r[ns[k]!]!;
      next[i] = (1 - d) / n + d * (s + dangling / n);
    }
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - r[i]!);
    [r, next] = [next, r];
    if (delta < tol) break;
  }
  return [...r];
}
