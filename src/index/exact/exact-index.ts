/**
 * Exact (brute-force) vector index: the reference every ANN index is measured against.
 * Vectors live in one growable Float32Array; with metric 'cos' they are L2-normalised on add.
 *
 * File format (little-endian): "LBEXACT1" | u32 dim | u32 metric (0 cos, 1 ip) | u64 n |
 * n × u64 keys | n × dim × f32 vectors.
 */
import fs from 'node:fs';
import { LookbookError } from '../../errors.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import {
  checkDim,
  checkQuery,
  checkVectors,
  normalizeKeys,
  normalizeRows,
  type IndexKeys,
  type IndexMetric,
  type SearchResult,
  type VectorIndex,
} from '../vector-index.ts';
import { topKDot } from './top-k.ts';

const MAGIC = 'LBEXACT1';
const HEADER = 24;

export interface ExactIndexOptions {
  dim: number;
  metric?: IndexMetric;
}

export class ExactIndex implements VectorIndex {
  readonly dim: number;
  readonly metric: IndexMetric;
  #keys = new BigUint64Array(16);
  #data: Float32Array;
  #n = 0;
  #rowOf = new Map<bigint, number>();

  constructor(opts: ExactIndexOptions) {
    checkDim(opts.dim);
    this.dim = opts.dim;
    this.metric = opts.metric ?? 'cos';
    this.#data = new Float32Array(16 * opts.dim);
  }

  size(): number {
    return this.#n;
  }

  has(key: bigint | number): boolean {
    return this.#rowOf.has(BigInt(key));
  }

  #reserve(rows: number): void {
    if (rows <= this.#keys.length) return;
    const cap = Math.max(rows, this.#keys.length * 2);
    const keys = new BigUint64Array(cap);
    keys.set(this.#keys.subarray(0, this.#n));
    const data = new Float32Array(cap * this.dim);
    data.set(this.#data.subarray(0, this.#n * this.dim));
    this.#keys = keys;
    this.#data = data;
  }

  add(keys: IndexKeys, vectors: Float32Array): void {
    const ks = normalizeKeys(keys);
    checkVectors(vectors, this.dim, ks.length);
    const seen = new Set<bigint>();
    for (const k of ks) {
      if (this.#rowOf.has(k) || seen.has(k)) throw new LookbookError('LB_ERR_CONFLICT', `key ${k} is already in the index`);
      seen.add(k);
    }
    this.#reserve(this.#n + ks.length);
    const start = this.#n * this.dim;
    this.#data.set(vectors, start);
    if (this.metric === 'cos') normalizeRows(this.#data.subarray(start, start + vectors.length), this.dim);
    for (let i = 0; i < ks.length; i++) {
      this.#keys[this.#n] = ks[i];
      this.#rowOf.set(ks[i], this.#n);
      this.#n++;
    }
  }

  remove(keys: IndexKeys): number {
    let removed = 0;
    for (const k of normalizeKeys(keys)) {
      const row = this.#rowOf.get(k);
      if (row === undefined) continue;
      const last = this.#n - 1;
      if (row !== last) {
        const lastKey = this.#keys[last];
        this.#keys[row] = lastKey;
        this.#data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
        this.#rowOf.set(lastKey, row);
      }
      this.#rowOf.delete(k);
      this.#n--;
      removed++;
    }
    return removed;
  }

  search(query: Float32Array, k: number): SearchResult {
    checkQuery(query, this.dim, k);
    const q = this.metric === 'cos' ? normalizeRows(Float32Array.from(query), this.dim) : query;
    const { rows, scores } = topKDot(this.#data.subarray(0, this.#n * this.dim), this.dim, q, k);
    return { keys: Array.from(rows, (r) => this.#keys[r]), scores };
  }

  searchBatch(queries: Float32Array, k: number): SearchResult[] {
    const n = checkVectors(queries, this.dim);
    const out: SearchResult[] = [];
    for (let i = 0; i < n; i++) out.push(this.search(queries.subarray(i * this.dim, (i + 1) * this.dim), k));
    return out;
  }

  save(path: string): void {
    const n = this.#n;
    const buf = Buffer.alloc(HEADER + n * 8 + n * this.dim * 4);
    buf.write(MAGIC, 0, 'latin1');
    buf.writeUInt32LE(this.dim, 8);
    buf.writeUInt32LE(this.metric === 'cos' ? 0 : 1, 12);
    buf.writeBigUInt64LE(BigInt(n), 16);
    Buffer.from(this.#keys.buffer, 0, n * 8).copy(buf, HEADER);
    Buffer.from(this.#data.buffer, 0, n * this.dim * 4).copy(buf, HEADER + n * 8);
    writeFileAtomic(path, (tmp) => fs.writeFileSync(tmp, buf));
  }

  static load(path: string): ExactIndex {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      throw new LookbookError('LB_ERR_NOT_FOUND', `index file ${path} cannot be read`, { cause: e, subject: path });
    }
    const corrupt = (why: string) => new LookbookError('LB_ERR_STORE', `index file ${path} is corrupt: ${why}`, { subject: path });
    if (buf.length < HEADER || buf.toString('latin1', 0, 8) !== MAGIC) throw corrupt('bad header');
    const dim = buf.readUInt32LE(8);
    const metricCode = buf.readUInt32LE(12);
    const n = Number(buf.readBigUInt64LE(16));
    if (dim === 0 || metricCode > 1 || buf.length !== HEADER + n * 8 + n * dim * 4) throw corrupt('bad size');
    const idx = new ExactIndex({ dim, metric: metricCode === 0 ? 'cos' : 'ip' });
    const copy = new Uint8Array(buf.length - HEADER);
    copy.set(buf.subarray(HEADER));
    const keys = new BigUint64Array(copy.buffer, 0, n);
    const vectors = new Float32Array(copy.buffer, n * 8, n * dim);
    if (n > 0) idx.add(keys, vectors);
    return idx;
  }
}
