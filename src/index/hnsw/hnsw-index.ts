/**
 * HNSW approximate index backed by usearch (the only module that imports it).
 * Keys are u64 (bigint); scores are similarities: 1 − usearch distance, which is the cosine for
 * metric 'cos' and the dot product for 'ip'.
 */
import fs from 'node:fs';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { LookbookError } from '../../errors.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import {
  checkDim,
  checkQuery,
  checkVectors,
  normalizeKeys,
  type IndexKeys,
  type IndexMetric,
  type SearchResult,
  type VectorIndex,
} from '../vector-index.ts';

export type HnswQuantization = 'f32' | 'f16' | 'i8';

export interface HnswOptions {
  dim: number;
  metric?: IndexMetric;
  /** Storage precision of vectors inside the index (default f32). */
  quantization?: HnswQuantization;
  /** Graph degree M (default 16). */
  connectivity?: number;
  /** ef at construction (default 128). */
  expansionAdd?: number;
  /** ef at search (default 64). */
  expansionSearch?: number;
  /** Threads for add (0 = all cores). Searches of one query use 1 thread. */
  threads?: number;
}

export const HNSW_DEFAULTS = { metric: 'cos', quantization: 'f32', connectivity: 16, expansionAdd: 128, expansionSearch: 64, threads: 0 } as const;

const SCALAR: Record<HnswQuantization, ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };

function storeError(what: string, e: unknown, subject?: string): LookbookError {
  return new LookbookError('LB_ERR_STORE', `usearch ${what} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e, subject });
}

export class HnswIndex implements VectorIndex {
  readonly dim: number;
  readonly metric: IndexMetric;
  readonly options: Required<HnswOptions>;
  #index: Index;
  #readOnly = false;

  constructor(opts: HnswOptions) {
    checkDim(opts.dim);
    this.options = { ...HNSW_DEFAULTS, ...stripUndefined(opts) } as Required<HnswOptions>;
    this.dim = opts.dim;
    this.metric = this.options.metric;
    if (!(this.options.quantization in SCALAR)) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unknown quantization ${this.options.quantization}`);
    }
    this.#index = new Index({
      dimensions: this.dim,
      metric: this.metric === 'cos' ? MetricKind.Cos : MetricKind.IP,
      quantization: SCALAR[this.options.quantization],
      connectivity: this.options.connectivity,
      expansion_add: this.options.expansionAdd,
      expansion_search: this.options.expansionSearch,
      multi: false,
    });
  }

  size(): number {
    return this.#index.size();
  }

  has(key: bigint | number): boolean {
    return (this.#index.contains(normalizeKeys([BigInt(key)])) as boolean[])[0] === true;
  }

  #writable(): void {
    if (this.#readOnly) throw new LookbookError('LB_ERR_CONFLICT', 'this index is a read-only view of a file');
  }

  add(keys: IndexKeys, vectors: Float32Array): void {
    this.#writable();
    const ks = normalizeKeys(keys);
    checkVectors(vectors, this.dim, ks.length);
    if (ks.length === 0) return;
    const seen = new Set<bigint>();
    const present = this.size() > 0 ? (this.#index.contains(ks) as boolean[]) : [];
    ks.forEach((k, i) => {
      if (seen.has(k) || present[i]) throw new LookbookError('LB_ERR_CONFLICT', `key ${k} is already in the index`);
      seen.add(k);
    });
    try {
      this.#index.add(ks, vectors, this.options.threads);
    } catch (e) {
      throw storeError('add', e);
    }
  }

  remove(keys: IndexKeys): number {
    this.#writable();
    const ks = normalizeKeys(keys);
    if (ks.length === 0) return 0;
    try {
      const r = this.#index.remove(ks);
      return Array.isArray(r) ? r.reduce((a, b) => a + Number(b), 0) : Number(r);
    } catch (e) {
      throw storeError('remove', e);
    }
  }

  search(query: Float32Array, k: number): SearchResult {
    checkQuery(query, this.dim, k);
    if (this.size() === 0) return { keys: [], scores: new Float32Array(0) };
    let m;
    try {
      m = this.#index.search(query, Math.min(k, this.size()), 1);
    } catch (e) {
      throw storeError('search', e);
    }
    return toResult(m.keys, m.distances, 0, m.keys.length);
  }

  searchBatch(queries: Float32Array, k: number): SearchResult[] {
    const n = checkVectors(queries, this.dim);
    if (!Number.isInteger(k) || k <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
    if (n === 0) return [];
    if (this.size() === 0) return Array.from({ length: n }, () => ({ keys: [], scores: new Float32Array(0) }));
    const kk = Math.min(k, this.size());
    const rows = Array.from({ length: n }, (_, i) => queries.subarray(i * this.dim, (i + 1) * this.dim));
    let bm;
    try {
      bm = this.#index.search(rows, kk, this.options.threads);
    } catch (e) {
      throw storeError('search', e);
    }
    return rows.map((_, i) => toResult(bm.keys, bm.distances, i * kk, Number(bm.counts[i])));
  }

  save(path: string): void {
    writeFileAtomic(path, (tmp) => this.#index.save(tmp));
  }

  /** Loads an index file into memory (writable). Throws LB_ERR_STORE when the file is unreadable or corrupt. */
  static load(path: string, opts: Omit<HnswOptions, 'dim'> & { dim?: number } = {}): HnswIndex {
    return HnswIndex.#open(path, opts, false);
  }

  /** Memory-maps an index file (read-only: add/remove throw LB_ERR_CONFLICT). */
  static view(path: string, opts: Omit<HnswOptions, 'dim'> & { dim?: number } = {}): HnswIndex {
    return HnswIndex.#open(path, opts, true);
  }

  static #open(path: string, opts: Omit<HnswOptions, 'dim'> & { dim?: number }, view: boolean): HnswIndex {
    if (!fs.existsSync(path)) throw new LookbookError('LB_ERR_NOT_FOUND', `index file ${path} does not exist`, { subject: path });
    checkUsearchFile(path);
    const idx = new HnswIndex({ ...opts, dim: opts.dim ?? 1 });
    try {
      if (view) idx.#index.view(path);
      else idx.#index.load(path);
    } catch (e) {
      throw storeError(view ? 'view' : 'load', e, path);
    }
    const dim = idx.#index.dimensions();
    if (opts.dim !== undefined && dim !== opts.dim) {
      throw new LookbookError('LB_ERR_DIMENSION', `index file ${path} has dimension ${dim}, expected ${opts.dim}`, { subject: path });
    }
    (idx as { dim: number }).dim = dim;
    idx.#readOnly = view;
    return idx;
  }
}

/**
 * Cheap structural check before handing a file to usearch: a corrupt vector-matrix header makes
 * the native loader allocate huge buffers (minutes, or a process abort on bad_alloc).
 * Layout: u32 rows | u32 bytes-per-vector | rows × vector bytes | 64-byte head starting "usearch" | graph.
 */
export function checkUsearchFile(path: string): void {
  const bad = (why: string) => new LookbookError('LB_ERR_STORE', `index file ${path} is corrupt: ${why}`, { subject: path });
  const size = fs.statSync(path).size;
  if (size < 8 + 64) throw bad('too short');
  const fd = fs.openSync(path, 'r');
  try {
    const head = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 8, 0);
    const rows = head.readUInt32LE(0);
    const cols = head.readUInt32LE(4);
    const matrixEnd = 8 + rows * cols;
    if (cols === 0 || matrixEnd + 64 > size) throw bad('vector matrix larger than the file');
    const magic = Buffer.alloc(7);
    fs.readSync(fd, magic, 0, 7, matrixEnd);
    if (magic.toString('latin1') !== 'usearch') throw bad('no usearch header');
  } finally {
    fs.closeSync(fd);
  }
}

function toResult(keys: BigUint64Array, distances: Float32Array, start: number, count: number): SearchResult {
  const out: bigint[] = [];
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out.push(keys[start + i]);
    scores[i] = 1 - distances[start + i];
  }
  return { keys: out, scores };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
