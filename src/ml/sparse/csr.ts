/**
 * Compressed sparse row matrices: the one sparse format used by the text features and the linear models.
 * float32 values halve memory traffic versus float64, which is what the solver's inner loops are bound by;
 * column indices inside a row are not required to be sorted.
 */
export interface Csr {
  nRows: number;
  nCols: number;
  /** Row i's entries are [indptr[i], indptr[i+1]). Length nRows + 1. */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.indptr[m.nRows];
}

/** Builds a CSR matrix from a dense row-major array (tests and small inputs); zeros are not stored. */
export function csrFromDense(dense: ArrayLike<number>, nRows: number, nCols: number): Csr {
  const indptr = new Int32Array(nRows + 1);
  const idx: number[] = [], vals: number[] = [];
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) {
      const v = dense[i * nCols + j];
      if (v !== 0) { idx.push(j); vals.push(v); }
    }
    indptr[i + 1] = idx.length;
  }
  return { nRows, nCols, indptr, indices: Int32Array.from(idx), data: Float32Array.from(vals) };
}

/** Dense row-major Float64Array copy (tests and small inputs). */
export function csrToDense(m: Csr): Float64Array {
  const out = new Float64Array(m.nRows * m.nCols);
  for (let i = 0; i < m.nRows; i++) {
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) out[i * m.nCols + m.indices[p]] += m.data[p];
  }
  return out;
}

/** The rows `rows` (in that order, repeats allowed) as a new matrix. */
export function sliceRows(m: Csr, rows: ArrayLike<number>): Csr {
  const indptr = new Int32Array(rows.length + 1);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!(r >= 0 && r < m.nRows)) throw new Error(`sliceRows: row ${r} is out of range 0..${m.nRows - 1}`);
    total += m.indptr[r + 1] - m.indptr[r];
    indptr[k + 1] = total;
  }
  const indices = new Int32Array(total), data = new Float32Array(total);
  for (let k = 0; k < rows.length; k++) {
    const a = m.indptr[rows[k]], b = m.indptr[rows[k] + 1];
    indices.set(m.indices.subarray(a, b), indptr[k]);
    data.set(m.data.subarray(a, b), indptr[k]);
  }
  return { nRows: rows.length, nCols: m.nCols, indptr, indices, data };
}

/** Side-by-side concatenation (scipy's hstack): block b's columns are offset by the widths of the blocks before it. */
export function hstack(blocks: readonly Csr[]): Csr {
  if (blocks.length === 0) throw new Error('hstack: no blocks');
  const nRows = blocks[0].nRows;
  let nCols = 0, total = 0;
  for (const b of blocks) {
    if (b.nRows !== nRows) throw new Error(`hstack: blocks have ${nRows} and ${b.nRows} rows`);
    nCols += b.nCols;
    total += nnz(b);
  }
  const indptr = new Int32Array(nRows + 1), indices = new Int32Array(total), data = new Float32Array(total);
  let p = 0;
  for (let i = 0; i < nRows; i++) {
    let offset = 0;
    for (const b of blocks) {
      const from = b.indptr[i], to = b.indptr[i + 1], bi = b.indices, bd = b.data;
      for (let q = from; q < to; q++) { indices[p] = bi[q] + offset; data[p++] = bd[q]; }
      offset += b.nCols;
    }
    indptr[i + 1] = p;
  }
  return { nRows, nCols, indptr, indices, data };
}

/** Squared L2 norm of each row (float64 accumulation). */
export function rowSquaredNorms(m: Csr): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let i = 0; i < m.nRows; i++) {
    let s = 0;
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) s += m.data[p] * m.data[p];
    out[i] = s;
  }
  return out;
}
