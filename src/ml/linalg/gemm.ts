/**
 * Dense float64 matrix products for the softmax head, row-major on Float64Array. Plain loops over typed arrays,
 * register-blocked (2 × 4 outputs in gemmNT, 4 reduction rows × 2 outputs in gemmTN) so each load feeds several
 * multiply-adds, and cache-blocked along the long dimension so the reused operand stays in L1. Results equal the
 * naive triple loop up to floating-point reassociation.
 */

/** Reduction-dimension block of gemmNT: a 7 × 256 slice of B (14 KB) and two rows of A stay in L1. */
const KB = 256;
/** Column block of gemmTN: an m × 256 slice of the output and four 256-wide rows of B stay in L1. */
const JB = 256;

/** out (m × n) = A (m × K) · Bᵀ, B being n × K. */
export function gemmNT(A: Float64Array, B: Float64Array, out: Float64Array, m: number, n: number, K: number): void {
  out.fill(0, 0, m * n);
  for (let k0 = 0; k0 < K; k0 += KB) {
    const k1 = Math.min(K, k0 + KB);
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const a0 = i * K, a1 = a0 + K, o0 = i * n, o1 = o0 + n;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let q = k0; q < k1; q++) {
          const x0 = A[a0 + q], x1 = A[a1 + q];
          const v0 = B[b0 + q], v1 = B[b1 + q], v2 = B[b2 + q], v3 = B[b3 + q];
          s00 += x0 * v0; s01 += x0 * v1; s02 += x0 * v2; s03 += x0 * v3;
          s10 += x1 * v0; s11 += x1 * v1; s12 += x1 * v2; s13 += x1 * v3;
        }
        out[o0 + j] += s00; out[o0 + j + 1] += s01; out[o0 + j + 2] += s02; out[o0 + j + 3] += s03;
        out[o1 + j] += s10; out[o1 + j + 1] += s11; out[o1 + j + 2] += s12; out[o1 + j + 3] += s13;
      }
      for (; j < n; j++) {
        const b0 = j * K;
        let s0 = 0, s1 = 0;
        for (let q = k0; q < k1; q++) { const v = B[b0 + q]; s0 += A[a0 + q] * v; s1 += A[a1 + q] * v; }
        out[o0 + j] += s0; out[o1 + j] += s1;
      }
    }
    if (i < m) { // odd last row
      const a0 = i * K, o0 = i * n;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let q = k0; q < k1; q++) {
          const x = A[a0 + q];
          s0 += x * B[b0 + q]; s1 += x * B[b1 + q]; s2 += x * B[b2 + q]; s3 += x * B[b3 + q];
        }
        out[o0 + j] += s0; out[o0 + j + 1] += s1; out[o0 + j + 2] += s2; out[o0 + j + 3] += s3;
      }
      for (; j < n; j++) {
        const b0 = j * K;
        let s = 0;
        for (let q = k0; q < k1; q++) s += A[a0 + q] * B[b0 + q];
        out[o0 + j] += s;
      }
    }
  }
}

/** out (m × n) += Aᵀ · B, A being K × m and B K × n (e.g. the gradient Rᵀ Z from residuals R and rows Z). */
export function gemmTN(A: Float64Array, B: Float64Array, out: Float64Array, K: number, m: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    let q = 0;
    for (; q + 3 < K; q += 4) {
      const b0 = q * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n, a0 = q * m, a1 = a0 + m, a2 = a1 + m, a3 = a2 + m;
      let c = 0;
      for (; c + 1 < m; c += 2) {
        const r00 = A[a0 + c], r10 = A[a1 + c], r20 = A[a2 + c], r30 = A[a3 + c];
        const r01 = A[a0 + c + 1], r11 = A[a1 + c + 1], r21 = A[a2 + c + 1], r31 = A[a3 + c + 1];
        const o0 = c * n, o1 = o0 + n;
        for (let j = j0; j < j1; j++) {
          const z0 = B[b0 + j], z1 = B[b1 + j], z2 = B[b2 + j], z3 = B[b3 + j];
          out[o0 + j] += r00 * z0 + r10 * z1 + r20 * z2 + r30 * z3;
          out[o1 + j] += r01 * z0 + r11 * z1 + r21 * z2 + r31 * z3;
        }
      }
      if (c < m) {
        const r0 = A[a0 + c], r1 = A[a1 + c], r2 = A[a2 + c], r3 = A[a3 + c], o = c * n;
        for (let j = j0; j < j1; j++) out[o + j] += r0 * B[b0 + j] + r1 * B[b1 + j] + r2 * B[b2 + j] + r3 * B[b3 + j];
      }
    }
    for (; q < K; q++) { // leftover reduction rows
      const b0 = q * n, a0 = q * m;
      for (let c = 0; c < m; c++) {
        const r = A[a0 + c], o = c * n;
        for (let j = j0; j < j1; j++) out[o + j] += r * B[b0 + j];
      }
    }
  }
}
