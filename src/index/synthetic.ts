/**
 * Seeded synthetic vectors for index/store tests and benchmarks. Clustered, because on i.i.d.
 * random vectors every ANN index has poor recall and the measurement says nothing.
 */
import { normalizeRows } from './vector-index.ts';
import { mulberry32 } from '../util/random.ts';

export { mulberry32 };

/** Standard normal sampler (Box–Muller) over a uniform PRNG. */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export interface ClusteredOptions {
  n: number;
  dim: number;
  /** Number of cluster centres (default ⌈√n⌉). */
  clusters?: number;
  /** Noise scale relative to the centre norm (default 0.5). */
  spread?: number;
  seed?: number;
}

/** n L2-normalised vectors around random centres; `labels[i]` is the centre of row i. */
export function clusteredVectors(opts: ClusteredOptions): { vectors: Float32Array; labels: Int32Array } {
  const { n, dim } = opts;
  const clusters = opts.clusters ?? Math.max(1, Math.ceil(Math.sqrt(n)));
  const spread = opts.spread ?? 0.5;
  const g = gaussian(mulberry32(opts.seed ?? 1));
  const centres = normalizeRows(Float32Array.from({ length: clusters * dim }, g), dim);
  const vectors = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const noise = spread / Math.sqrt(dim);
  const pick = mulberry32((opts.seed ?? 1) ^ 0x9e3779b9);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(pick() * clusters);
    labels[i] = c;
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = centres[c * dim + j] + noise * g();
  }
  return { vectors: normalizeRows(vectors, dim), labels };
}

/** Mean recall@k of `approx` against `exact` (lists of result keys per query). */
export function recallAtK<K>(approx: K[][], exact: K[][], k: number): number {
  let hit = 0;
  let total = 0;
  exact.forEach((truth, q) => {
    const want = new Set(truth.slice(0, k));
    total += want.size;
    for (const key of approx[q].slice(0, k)) if (want.has(key)) hit++;
  });
  return total === 0 ? 1 : hit / total;
}
