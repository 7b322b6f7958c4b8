/**
 * A fixed n × p row matrix Z (the softmax head's features) and the two products the objective needs per call:
 * logits Z·Vᵀ and gradient Rᵀ·Z, for a k × p weight matrix V and n × k residuals R. With WebAssembly SIMD, Z is
 * copied once into wasm memory, zero-padded (rows to a multiple of 4, columns to a multiple of 2, classes to a
 * multiple of 4) so the f64x2 kernels need no edge cases — zero rows/columns add exact zeros to the sums.
 * Without it, the plain-JS blocked kernels of gemm.ts run on Z directly. Both equal the naive products up to
 * floating-point reassociation.
 */
import { gemmNT, gemmTN } from './gemm.ts';
import { simdKernels, type SimdKernels } from './simd.ts';

/** Column block of the gradient product: 2 output rows and 4 rows of Z, 256 doubles each, stay in L1. */
const JB = 256;

export class DenseRows {
  private readonly simd: SimdKernels | null;
  private readonly nP: number; private readonly pP: number; private readonly kP: number;
  private readonly zOff = 0; private readonly vOff: number; private readonly gOff: number; private readonly rOff: number; private readonly sOff: number;
  private readonly f64: Float64Array | null = null;

  constructor(private readonly Z: Float64Array, private readonly n: number, private readonly p: number, private readonly k: number, useSimd = true) {
    this.nP = (n + 3) & ~3; this.pP = (p + 1) & ~1; this.kP = (k + 3) & ~3;
    const zLen = this.nP * this.pP, wLen = this.kP * this.pP, rLen = this.nP * this.kP;
    this.vOff = zLen; this.gOff = this.vOff + wLen; this.rOff = this.gOff + wLen; this.sOff = this.rOff + rLen;
    this.simd = useSimd ? simdKernels((this.sOff + 8) * 8) : null;
    if (this.simd) {
      const f64 = new Float64Array(this.simd.memory.buffer);
      for (let i = 0; i < n; i++) f64.set(Z.subarray(i * p, i * p + p), i * this.pP);
      this.f64 = f64;
    }
  }

  /** True when the SIMD kernels are in use. */
  get vectorised(): boolean { return this.simd !== null; }

  /** out (n × k) = Z · Vᵀ, V being the first k·p values of theta (k × p row-major). */
  logits(theta: Float64Array, out: Float64Array): void {
    const { simd, f64, n, p, k, nP, pP, kP } = this;
    if (!simd || !f64) { gemmNT(this.Z, theta, out, n, k, p); return; }
    for (let c = 0; c < k; c++) f64.set(theta.subarray(c * p, c * p + p), this.vOff + c * pP);
    const row = pP * 8, z = this.zOff * 8, v = this.vOff * 8, s = this.sOff * 8, sf = this.sOff;
    for (let i = 0; i < nP; i += 2) {
      for (let c = 0; c < kP; c += 4) {
        const b = v + c * row;
        simd.dot2x4(z + i * row, z + (i + 1) * row, b, b + row, b + 2 * row, b + 3 * row, row, s);
        const cEnd = Math.min(4, k - c);
        for (let r = 0; r < 2 && i + r < n; r++) for (let t = 0; t < cEnd; t++) out[(i + r) * k + c + t] = f64[sf + 4 * r + t];
      }
    }
  }

  /** out (n × n) = Z · Zᵀ, exactly symmetric: blocks on and below the diagonal are computed, then mirrored. */
  gram(out: Float64Array): void {
    const { simd, f64, n, p, pP } = this;
    if (!simd || !f64) { gemmNT(this.Z, this.Z, out, n, n, p); return; }
    const row = pP * 8, z = this.zOff * 8, s = this.sOff * 8, sf = this.sOff, nP = (n + 1) & ~1;
    for (let i = 0; i < nP; i += 2) {
      for (let c = 0; c <= i + 1 && c < n; c += 4) {
        // columns beyond n read padded zero rows of Z (nP is a multiple of 4) and are discarded
        simd.dot2x4(z + i * row, z + (i + 1) * row, z + c * row, z + (c + 1) * row, z + (c + 2) * row, z + (c + 3) * row, row, s);
        for (let r = 0; r < 2 && i + r < n; r++) {
          for (let t = 0; t < 4 && c + t < n; t++) {
            const v = f64[sf + 4 * r + t];
            out[(i + r) * n + c + t] = v; out[(c + t) * n + i + r] = v;
          }
        }
      }
    }
  }

  /** grad[0 .. k·p) += Rᵀ · Z for residuals R (n × k). */
  addGradient(R: Float64Array, grad: Float64Array): void {
    const { simd, f64, n, p, k, nP, pP, kP } = this;
    if (!simd || !f64) { gemmTN(R, this.Z, grad, n, k, p); return; }
    const rf = this.rOff, gf = this.gOff;
    f64.fill(0, gf, gf + kP * pP);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) f64[rf + i * kP + c] = R[i * k + c];
    const row = pP * 8, z = this.zOff * 8, g = gf * 8;
    for (let j0 = 0; j0 < pP; j0 += JB) {
      const bytes = Math.min(JB, pP - j0) * 8, jb = j0 * 8;
      for (let i = 0; i < nP; i += 4) {
        const zb = z + i * row + jb, ro = rf + i * kP;
        for (let c = 0; c < kP; c += 2) {
          const a = ro + c, gb = g + c * row + jb;
          simd.tn2x4(gb, gb + row, zb, zb + row, zb + 2 * row, zb + 3 * row, bytes,
            f64[a], f64[a + kP], f64[a + 2 * kP], f64[a + 3 * kP], f64[a + 1], f64[a + kP + 1], f64[a + 2 * kP + 1], f64[a + 3 * kP + 1]);
        }
      }
    }
    for (let c = 0; c < k; c++) {
      const go = gf + c * pP, o = c * p;
      for (let j = 0; j < p; j++) grad[o + j] += f64[go + j];
    }
  }
}
