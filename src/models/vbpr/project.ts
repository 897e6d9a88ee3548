/**
 * Randomized PCA-style projection of high-dimensional CNN features (e.g. 1792-d) to a small basis,
 * so VBPR's embedding matrix E stays cheap to train in plain TypeScript.
 * Range finder with one power iteration: V = orth((X-μ)ᵀ(X-μ)Ω).
 */
import { rng } from '../recommender.ts';

export interface Projection {
  dim: number;
  rank: number;
  /** D-vector mean. */
  mu: Float32Array;
  /** D×r row-major basis (orthonormal columns). */
  V: Float32Array;
}

export function fitProjection(X: Float32Array, n: number, D: number, r: number, seed: number): Projection {
  const rand = rng(seed);
  const mu = new Float32Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mu[d]! += X[i * D + d]! / n;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const Om = Float32Array.from({ length: D * r }, gauss);
  // Y = (X-μ) Ω  (n×r)
  const Y = new Float64Array(n * r);
  const row = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) row[d] = X[i * D + d]! - mu[d]!;
    for (let d = 0; d < D; d++) {
      const x = row[d]!;
      if (x === 0) continue;
      const o = d * r;
      for (let c = 0; c < r; c++) Y[i * r + c]! += x * Om[o + c]!;
    }
  }
  // Z = (X-μ)ᵀ Y  (D×r)
  const Z = new Float64Array(D * r);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) {
      const x = X[i * D + d]! - mu[d]!;
      if (x === 0) continue;
      const o = d * r;
      for (let c = 0; c < r; c++) Z[o + c]! += x * Y[i * r + c]!;
    }
  }
  // Gram-Schmidt on the columns of Z
  for (let c = 0; c < r; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += Z[d * r + c]! * Z[d * r + p]!;
      for (let d = 0; d < D; d++) Z[d * r + c]! -= dot * Z[d * r + p]!;
    }
    let nrm = 0;
    for (let d = 0; d < D; d++) nrm += Z[d * r + c]! ** 2;
    nrm = Math.sqrt(nrm) || 1;
    for (let d = 0; d < D; d++) Z[d * r + c]! /= nrm;
  }
  return { dim: D, rank: r, mu, V: Float32Array.from(Z) };
}

/** Projects rows of X (n×D) to n×r, each row L2-normalised (zero rows stay zero). */
export function project(p: Projection, X: Float32Array, n: number): Float32Array {
  const { dim: D, rank: r, mu, V } = p;
  const out = new Float32Array(n * r);
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let d = 0; d < D; d++) if (X[i * D + d] !== 0) { any = true; break; }
    if (!any) continue;
    for (let d = 0; d < D; d++) {
      const x = X[i * D + d]! - mu[d]!;
      const o = d * r;
      for (let c = 0; c < r; c++) out[i * r + c]! += x * V[o + c]!;
    }
    let nrm = 0;
    for (let c = 0; c < r; c++) nrm += out[i * r + c]! ** 2;
    nrm = Math.sqrt(nrm) || 1;
    for (let c = 0; c < r; c++) out[i * r + c]! /= nrm;
  }
  return out;
}
