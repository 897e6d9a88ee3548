/**
 * The vector index boundary: a keyed set of fixed-dimension vectors searched by similarity.
 * Implementations: exact/ (brute force, the reference) and hnsw/ (usearch HNSW).
 * Both run src/index/common.case.test.ts.
 *
 * Scores are similarities (higher is closer): cosine, or inner product on L2-normalised vectors.
 * Input is checked here, in TypeScript, before any native call.
 */
import { LookbookError } from '../errors.ts';

export type IndexKeys = readonly bigint[] | readonly number[] | BigUint64Array;
export type IndexMetric = 'cos' | 'ip';

export interface SearchResult {
  /** Keys of the nearest vectors, best first. */
  keys: bigint[];
  /** Similarity of each key (cosine for 'cos'; dot product for 'ip'), descending. */
  scores: Float32Array;
}

export interface VectorIndex {
  readonly dim: number;
  readonly metric: IndexMetric;
  size(): number;
  /** Adds vectors (row i = keys[i]); a key that is already present is an LB_ERR_CONFLICT. */
  add(keys: IndexKeys, vectors: Float32Array): void;
  /** Removes keys; returns how many were present. */
  remove(keys: IndexKeys): number;
  has(key: bigint | number): boolean;
  search(query: Float32Array, k: number): SearchResult;
  /** Several queries at once (rows of a flat matrix). */
  searchBatch?(queries: Float32Array, k: number): SearchResult[];
  /** Atomic save: temp file in the same directory, fsync, rename. */
  save(path: string): void;
}

/** Checks keys (non-negative safe integers or bigints < 2^64) and turns them into a BigUint64Array. */
export function normalizeKeys(keys: IndexKeys): BigUint64Array {
  if (keys instanceof BigUint64Array) return keys;
  const out = new BigUint64Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k === 'bigint') {
      if (k < 0n || k > 0xffffffffffffffffn) {
        throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `index key out of range: ${k}`);
      }
      out[i] = k;
    } else if (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0) {
      out[i] = BigInt(k);
    } else {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `index keys must be non-negative integers, got ${String(k)}`);
    }
  }
  return out;
}

/** Checks that `vectors` is a Float32Array holding `count` rows of `dim` finite numbers. */
export function checkVectors(vectors: Float32Array, dim: number, count?: number): number {
  if (!(vectors instanceof Float32Array)) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'vectors must be a Float32Array');
  }
  if (vectors.length % dim !== 0) {
    throw new LookbookError('LB_ERR_DIMENSION', `vector data of length ${vectors.length} is not a multiple of dimension ${dim}`, {
      details: { expected: dim, length: vectors.length },
    });
  }
  const rows = vectors.length / dim;
  if (count !== undefined && rows !== count) {
    throw new LookbookError('LB_ERR_DIMENSION', `${rows} vectors of dimension ${dim} for ${count} keys`, {
      details: { expected: dim, rows, keys: count },
    });
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i])) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `vector component ${i} is not finite`);
    }
  }
  return rows;
}

/** Checks a single query vector. */
export function checkQuery(query: Float32Array, dim: number, k: number): void {
  if (!(query instanceof Float32Array)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'query must be a Float32Array');
  if (query.length !== dim) {
    throw new LookbookError('LB_ERR_DIMENSION', `query has dimension ${query.length}, index has ${dim}`, {
      details: { expected: dim, actual: query.length },
    });
  }
  if (!Number.isInteger(k) || k <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
}

/** Checks a positive integer dimension. */
export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `dimension must be a positive integer, got ${dim}`);
}

/** L2-normalises each row of a flat matrix in place (zero rows stay zero). Returns the matrix. */
export function normalizeRows(matrix: Float32Array, dim: number): Float32Array {
  for (let off = 0; off < matrix.length; off += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[off + j] * matrix[off + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < dim; j++) matrix[off + j] *= inv;
    }
  }
  return matrix;
}
