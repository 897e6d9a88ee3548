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

/** 32-bit avalanche hash of (seed, i) (murmur3 finaliser over a golden-ratio mix). */
export function hash2(seed: number, i: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i >>> 0, 0x85ebca6b) ^ Math.floor(i / 4294967296)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The clustered distribution of `clusteredVectors`, but any row i is regenerated on demand from (seed, i):
 * centres come from the seed (clusters × dim floats), row i = normalise(centre[label(i)] + noise) with the noise
 * drawn from a PRNG seeded by hash(seed, i). Lets a benchmark stream 1M × 1792 rows in batches (and regenerate
 * query sources) without holding the 7 GB matrix. Not the same numbers as `clusteredVectors` for the same seed.
 */
export class ClusteredStream {
  readonly n: number;
  readonly dim: number;
  readonly clusters: number;
  readonly centres: Float32Array;
  readonly #seed: number;
  readonly #noise: number;

  constructor(opts: ClusteredOptions) {
    this.n = opts.n;
    this.dim = opts.dim;
    this.clusters = opts.clusters ?? Math.max(1, Math.ceil(Math.sqrt(opts.n)));
    this.#seed = (opts.seed ?? 1) >>> 0;
    this.#noise = (opts.spread ?? 0.5) / Math.sqrt(opts.dim);
    const g = gaussian(mulberry32(this.#seed));
    this.centres = normalizeRows(Float32Array.from({ length: this.clusters * this.dim }, g), this.dim);
  }

  /** Centre index of row i. */
  label(i: number): number {
    return hash2(this.#seed ^ 0x5bd1e995, i) % this.clusters;
  }

  /** Writes row i (L2-normalised) into out[offset … offset + dim) and returns out. */
  row(i: number, out: Float32Array = new Float32Array(this.dim), offset = 0): Float32Array {
    if (!(i >= 0 && i < this.n && Number.isInteger(i))) throw new RangeError(`row ${i} outside 0…${this.n - 1}`);
    const { dim } = this;
    const c = this.label(i) * dim;
    const rand = mulberry32(hash2(this.#seed, i));
    let norm = 0;
    // Box–Muller, both outputs of each pair.
    for (let j = 0; j < dim; j += 2) {
      const r = this.#noise * Math.sqrt(-2 * Math.log(1 - rand()));
      const t = 2 * Math.PI * rand();
      const a = this.centres[c + j] + r * Math.cos(t);
      out[offset + j] = a;
      norm += a * a;
      if (j + 1 < dim) {
        const b = this.centres[c + j + 1] + r * Math.sin(t);
        out[offset + j + 1] = b;
        norm += b * b;
      }
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[offset + j] *= inv;
    return out;
  }

  /** Rows start … start + count − 1 as one row-major matrix. */
  rows(start: number, count: number): Float32Array {
    const out = new Float32Array(count * this.dim);
    for (let r = 0; r < count; r++) this.row(start + r, out, r * this.dim);
    return out;
  }
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
