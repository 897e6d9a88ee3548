/** Seeded randomness and splits shared by the heads (deterministic for a given seed). */

/** The project's seeded PRNG and in-place shuffle, under the names the heads use. */
export { mulberry32 as makeRng, shuffle as shuffleInPlace } from '../../util/random.ts';
import { mulberry32 as makeRng, shuffle as shuffleInPlace } from '../../util/random.ts';

/**
 * Stratified split of row indices by label: each class contributes round(fraction · n_c) rows to the
 * held-out part (at least one when the class has two or more rows). Rows with label < 0 are ignored.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, seed: number): { train: number[]; test: number[] } {
  const rng = makeRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y < 0) continue;
    let l = byClass.get(y);
    if (!l) byClass.set(y, (l = []));
    l.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(y)!;
    shuffleInPlace(rows, rng);
    let k = Math.round(rows.length * fraction);
    if (k === 0 && rows.length >= 2 && fraction > 0) k = 1;
    if (k >= rows.length) k = rows.length - 1;
    test.push(...rows.slice(0, k));
    train.push(...rows.slice(k));
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train, test };
}

/** Glorot-uniform initialisation of a fanIn × fanOut matrix. */
export function glorot(fanIn: number, fanOut: number, rng: () => number): Float32Array {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rng() * 2 - 1) * lim;
  return w;
}

/** Copies the given rows of a row-major n × dim matrix into a new matrix. */
export function gatherRows(x: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i]! * dim, rows[i]! * dim + dim), i * dim);
  return out;
}
