/**
 * In-memory vector caches of the SQLite store, one per space (a backbone name, or a derived space
 * stored in item_vectors). Each cache holds the ids, an L2-normalised matrix and, once the space
 * has at least `annThreshold` rows, a usearch HNSW index persisted at <dataDir>/index/<space>.usearch.
 *
 * Staleness: every write bumps generation counters in `state` (gen:items when item membership or
 * content hashes change, gen:features:<backbone>, gen:vectors:<space>), in the write's transaction.
 * A space's stamp is those counters; the cache and the index file carry the
 * stamp they were built from (`index:<space>` in state, with row count, dim and file size).
 *
 * Updates in place: every row has a 63-bit key hashed from its item id and vector bytes, and a sidecar
 * `<index file>.keys` lists the keys in the saved index. When the stamp changes, the current rows are
 * read from SQLite and compared by key with the index in memory (or the saved file): keys that left
 * are removed, new keys (new items, changed vectors) are added. Only when the change is large (more
 * than a quarter of the rows, or half since the last full build) is the index rebuilt.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { LookbookError } from '../../errors.ts';
import { topKDot } from '../../index/exact/top-k.ts';
import { writeFileAtomic } from '../../index/atomic-file.ts';
import { HnswIndex, type HnswOptions } from '../../index/hnsw/hnsw-index.ts';
import { normalizeRows } from '../../index/vector-index.ts';
import type { Neighbour } from '../../types.ts';

export const GEN_ITEMS = 'gen:items';
export const genFeatures = (backbone: string) => `gen:features:${backbone}`;
export const genVectors = (space: string) => `gen:vectors:${space}`;
const indexStateKey = (space: string) => `index:${space}`;

export interface VectorSpaceOptions {
  /** Build an HNSW index once a space has this many rows (default 5000; 0 = always). */
  annThreshold?: number;
  /** HNSW parameters (dim and metric are set by the store). */
  hnsw?: Omit<HnswOptions, 'dim' | 'metric'>;
  /** ANN over-fetch factor when a filter is applied (default 10). */
  overFetch?: number;
}

export interface SpaceCache {
  space: string;
  stamp: string;
  ids: string[];
  rowOf: Map<string, number>;
  dim: number;
  matrix: Float32Array;
  /** Per row: hash of (id, vector bytes), the row's key in the HNSW index. */
  keys: BigUint64Array;
  rowOfKey: Map<bigint, number>;
  hnsw?: HnswIndex;
  /** How the ANN index was obtained for this cache (for tests and diagnostics). */
  indexSource?: IndexSource;
  /** Keys removed from this index since its last full build (tombstones in the graph). */
  churn?: number;
  /** Change mark (see #changeMark) at which `stamp` was last found current. */
  mark?: string;
}

export type IndexSource = 'loaded' | 'built' | 'updated';

export interface IndexStateRecord {
  stamp: string;
  bytes: number;
  n: number;
  dim: number;
  /** Size of the key sidecar file (absent in files written before keys existed: rebuilt). */
  keyBytes?: number;
  churn?: number;
}

/** Index key of a row: 63 bits of sha1(id, vector bytes), so a changed vector is a new key. */
export function rowKey(id: string, vector: Uint8Array): bigint {
  return crypto.createHash('sha1').update(id).update('\u0000').update(vector).digest().readBigUInt64LE(0) & 0x7fffffffffffffffn;
}

/** File name safe for any space name (readable when possible, hashed suffix otherwise). */
export function indexFileName(space: string): string {
  if (/^[A-Za-z0-9._-]{1,100}$/.test(space) && !space.startsWith('.')) return `${space}.usearch`;
  const safe = space.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const h = crypto.createHash('sha256').update(space).digest('hex').slice(0, 12);
  return `${safe}-${h}.usearch`;
}

export class VectorSpaces {
  readonly #db: Database.Database;
  readonly #indexDir: string;
  readonly #opts: Required<Omit<VectorSpaceOptions, 'hnsw'>> & { hnsw: VectorSpaceOptions['hnsw'] };
  readonly #caches = new Map<string, SpaceCache>();
  readonly #getState: Database.Statement;
  readonly #setState: Database.Statement;
  readonly #isDerived: Database.Statement;
  readonly #changeMark: Database.Statement;

  constructor(db: Database.Database, indexDir: string, opts: VectorSpaceOptions = {}) {
    this.#db = db;
    this.#indexDir = indexDir;
    this.#opts = { annThreshold: opts.annThreshold ?? 5000, overFetch: opts.overFetch ?? 10, hnsw: opts.hnsw };
    this.#getState = db.prepare('SELECT value FROM state WHERE key = ?').pluck();
    this.#setState = db.prepare('INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.#isDerived = db.prepare('SELECT 1 FROM item_vectors WHERE space = ? LIMIT 1');
    // Changes since a stamp was read: this connection's (total_changes) and other connections' and
    // processes' commits (data_version). Same mark → same stamp, without reading the counters.
    this.#changeMark = db.prepare(`SELECT total_changes() || ':' || data_version FROM pragma_data_version`).pluck();
  }

  indexPath(space: string): string {
    return path.join(this.#indexDir, indexFileName(space));
  }

  /** Drops in-memory caches (all, or one space). The next search re-checks the stamp. */
  invalidate(space?: string): void {
    if (space === undefined) this.#caches.clear();
    else this.#caches.delete(space);
  }

  isDerived(space: string): boolean {
    return this.#isDerived.get(space) !== undefined;
  }

  #gen(key: string): string {
    return (this.#getState.get(key) as string | undefined) ?? '0';
  }

  #count(space: string, derived: boolean): number {
    const sql = derived
      ? 'SELECT COUNT(*) FROM item_vectors WHERE space = ?'
      : 'SELECT COUNT(*) FROM items i JOIN features f ON f.content_hash = i.content_hash AND f.backbone = ?';
    return this.#db.prepare(sql).pluck().get(space) as number;
  }

  /**
   * Current stamp of a space, read from SQLite: the generation counters every write bumps
   * (cheap: a few primary-key lookups, so it is checked before every search).
   */
  stamp(space: string): string {
    return this.#db.transaction(() => {
      const derived = this.isDerived(space);
      return `${derived ? 'd' : 'b'}:${this.#gen(GEN_ITEMS)}:${this.#gen(genFeatures(space))}:${this.#gen(genVectors(space))}`;
    }).deferred();
  }

  /** Stamp recorded for the saved index file of a space, if any. */
  indexState(space: string): IndexStateRecord | undefined {
    const raw = this.#getState.get(indexStateKey(space)) as string | undefined;
    return raw ? (JSON.parse(raw) as IndexStateRecord) : undefined;
  }

  /** Returns an up-to-date cache for the space (undefined when it has no vectors). */
  cache(space: string): SpaceCache | undefined {
    const mark = this.#changeMark.get() as string;
    const have = this.#caches.get(space);
    if (have && have.mark === mark) return have;
    const stamp = this.stamp(space);
    if (have && have.stamp === stamp) {
      have.mark = mark;
      return have;
    }
    this.#caches.delete(space);
    const loaded = this.#load(space);
    if (!loaded) return undefined;
    loaded.mark = mark;
    if (loaded.ids.length >= this.#opts.annThreshold) this.#attachIndex(loaded, have);
    this.#caches.set(space, loaded);
    return loaded;
  }

  #load(space: string): SpaceCache | undefined {
    return this.#db.transaction(() => {
      const stamp = this.stamp(space);
      const derived = this.isDerived(space);
      const n = this.#count(space, derived);
      if (n === 0) return undefined;
      const sql = derived
        ? 'SELECT item_id AS id, dim, vector FROM item_vectors WHERE space = ? ORDER BY item_id'
        : `SELECT i.id AS id, f.dim AS dim, f.vector AS vector FROM items i
           JOIN features f ON f.content_hash = i.content_hash AND f.backbone = ? ORDER BY i.id`;
      const ids: string[] = [];
      const keys = new BigUint64Array(n);
      let dim = 0;
      let matrix = new Float32Array(0);
      for (const r of this.#db.prepare(sql).iterate(space) as Iterable<{ id: string; dim: number; vector: Buffer }>) {
        if (dim === 0) {
          dim = r.dim;
          matrix = new Float32Array(n * dim);
        }
        if (r.dim !== dim || r.vector.byteLength !== dim * 4) {
          throw new LookbookError('LB_ERR_DIMENSION', `space ${space} mixes dimensions ${dim} and ${r.dim} (item ${r.id})`, { subject: r.id });
        }
        // One row's view at a time: a view of the whole matrix would exceed 2^32 bytes above ~599k × 1792.
        new Uint8Array(matrix.buffer, ids.length * dim * 4, dim * 4).set(r.vector);
        keys[ids.length] = rowKey(r.id, r.vector);
        ids.push(r.id);
      }
      normalizeRows(matrix, dim);
      const rowOf = new Map(ids.map((id, i) => [id, i] as const));
      const rowOfKey = new Map(Array.from(keys, (k, i) => [k, i] as const));
      return { space, stamp, ids, rowOf, dim, matrix, keys, rowOfKey } satisfies SpaceCache;
    }).deferred();
  }

  /**
   * Gives the cache an ANN index: the previous in-memory index of the space or the saved file, brought
   * up to date by key (see the header), or a new build.
   */
  #attachIndex(c: SpaceCache, prev?: SpaceCache): void {
    const base = prev?.hnsw && prev.dim === c.dim ? { idx: prev.hnsw, keys: prev.keys, churn: prev.churn ?? 0, source: 'memory' as const, record: undefined } : this.#loadSaved(c);
    if (base) {
      const remove = base.keys.filter((k) => !c.rowOfKey.has(k));
      const before = new Set(base.keys);
      const addRows: number[] = [];
      c.keys.forEach((k, r) => {
        if (!before.has(k)) addRows.push(r);
      });
      const churn = base.churn + remove.length;
      const small = remove.length + addRows.length <= Math.max(64, c.ids.length / 4) && churn <= Math.max(64, c.ids.length / 2);
      if (small && base.idx.size() === base.keys.length) {
        try {
          if (remove.length > 0) base.idx.remove(remove);
          if (addRows.length > 0) {
            const vecs = new Float32Array(addRows.length * c.dim);
            addRows.forEach((r, i) => vecs.set(c.matrix.subarray(r * c.dim, (r + 1) * c.dim), i * c.dim));
            base.idx.add(BigUint64Array.from(addRows, (r) => c.keys[r]!), vecs);
          }
          c.hnsw = base.idx;
          c.churn = churn;
          const changed = remove.length + addRows.length > 0;
          c.indexSource = changed ? 'updated' : base.source === 'memory' ? prev!.indexSource : 'loaded';
          if (changed || base.source === 'memory') this.#save(c, base.idx);
          else this.#restamp(c, base.record!);
          return;
        } catch {
          // An index that refuses the update is rebuilt below from the store, the source of truth.
        }
      }
    }
    c.hnsw = this.#build(c);
    c.indexSource = 'built';
  }

  /** The saved index file of the space and its keys, when both are intact (whatever their stamp). */
  #loadSaved(c: SpaceCache): { idx: HnswIndex; keys: BigUint64Array; churn: number; source: 'file'; record: IndexStateRecord } | undefined {
    const file = this.indexPath(c.space);
    const saved = this.indexState(c.space);
    if (!saved || saved.dim !== c.dim || saved.keyBytes === undefined || !fs.existsSync(file) || !fs.existsSync(`${file}.keys`)) return undefined;
    try {
      if (fs.statSync(file).size !== saved.bytes || fs.statSync(`${file}.keys`).size !== saved.keyBytes) return undefined;
      const buf = fs.readFileSync(`${file}.keys`);
      const keys = new BigUint64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const idx = HnswIndex.load(file, { ...this.#opts.hnsw, dim: c.dim, metric: 'cos' });
      if (idx.size() !== keys.length || keys.length !== saved.n) return undefined;
      return { idx, keys, churn: saved.churn ?? 0, source: 'file', record: saved };
    } catch {
      return undefined; // corrupt or unreadable: rebuilt from the store
    }
  }

  /** The saved file already holds exactly these keys: only its record moves to the current stamp. */
  #restamp(c: SpaceCache, loaded: IndexStateRecord): void {
    if (loaded.stamp === c.stamp) return;
    const restamp = () => {
      const now = this.indexState(c.space);
      if (this.stamp(c.space) !== c.stamp || !now || now.stamp !== loaded.stamp || now.bytes !== loaded.bytes) return;
      this.#setState.run(indexStateKey(c.space), JSON.stringify({ ...now, stamp: c.stamp }));
    };
    this.#underWriteLock(restamp);
  }

  #build(c: SpaceCache): HnswIndex {
    const idx = new HnswIndex({ ...this.#opts.hnsw, dim: c.dim, metric: 'cos' });
    idx.add(c.keys, c.matrix);
    c.churn = 0;
    this.#save(c, idx);
    return idx;
  }

  /**
   * Saves a built index and records its stamp. Several processes may share a data directory
   * (`lookbook serve --workers n`, a CLI command beside a server) and build at the same time: the
   * file and its `index:<space>` record are written together under SQLite's write lock, and only
   * when the stamp is still current, so the record always describes the file on disk. An index of
   * an older state (or one that cannot get the lock) stays in memory only; a loader rebuilds.
   */
  #save(c: SpaceCache, idx: HnswIndex): void {
    const file = this.indexPath(c.space);
    const save = () => {
      if (this.stamp(c.space) !== c.stamp) return;
      const saved = this.indexState(c.space);
      if (saved?.stamp === c.stamp && saved.n === c.ids.length && saved.keyBytes !== undefined && (saved.churn ?? 0) === (c.churn ?? 0)) return;
      idx.save(file);
      writeFileAtomic(`${file}.keys`, (tmp) => fs.writeFileSync(tmp, new Uint8Array(c.keys.buffer, c.keys.byteOffset, c.keys.byteLength)));
      const rec: IndexStateRecord = {
        stamp: c.stamp,
        bytes: fs.statSync(file).size,
        n: c.ids.length,
        dim: c.dim,
        keyBytes: c.keys.byteLength,
        churn: c.churn ?? 0,
      };
      this.#setState.run(indexStateKey(c.space), JSON.stringify(rec));
    };
    this.#underWriteLock(save);
  }

  /** Runs fn in an IMMEDIATE transaction (or the current one); gives up quietly when another writer holds the lock. */
  #underWriteLock(fn: () => void): void {
    if (this.#db.inTransaction) return fn();
    try {
      this.#db.transaction(fn).immediate();
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw e;
    }
  }

  /**
   * Nearest neighbours in a space. `allowed` (item ids) restricts the result, `excluded` ids are
   * never returned; `exact` forces
   * brute force. With a filter, ANN results are over-fetched and filtered; when fewer than k
   * survive, the filtered subset is searched exactly.
   */
  search(space: string, query: Float32Array, k: number, opts: { allowed?: Set<string>; excluded?: Set<string>; exact?: boolean } = {}): Neighbour[] {
    // Excluded ids (e.g. the query item) are dropped from a slightly larger result instead of
    // restricting the search: no id set of the whole catalogue has to be built for them.
    const excluded = opts.excluded;
    if (excluded && excluded.size > 0) {
      const more = this.search(space, query, k + excluded.size, { allowed: opts.allowed, exact: opts.exact });
      return more.filter((h) => !excluded.has(h.id)).slice(0, k);
    }
    if (!(query instanceof Float32Array)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'query must be a Float32Array');
    if (!Number.isInteger(k) || k <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
    const c = this.cache(space);
    if (!c) return [];
    if (query.length !== c.dim) {
      throw new LookbookError('LB_ERR_DIMENSION', `query has dimension ${query.length}, space ${space} has ${c.dim}`, {
        details: { expected: c.dim, actual: query.length },
      });
    }
    const q = normalizeRows(Float32Array.from(query), c.dim);
    const out = (rows: ArrayLike<number>, scores: ArrayLike<number>): Neighbour[] =>
      Array.from({ length: rows.length }, (_, i) => ({ id: c.ids[rows[i]], score: scores[i] }));
    const allowed = opts.allowed;
    let subset: number[] | undefined;
    if (allowed) {
      subset = [];
      for (const id of allowed) {
        const r = c.rowOf.get(id);
        if (r !== undefined) subset.push(r);
      }
      subset.sort((a, b) => a - b);
      if (subset.length === 0) return [];
    }
    const exactSearch = () => {
      const r = topKDot(c.matrix, c.dim, q, k, subset);
      return out(r.rows, r.scores);
    };
    if (opts.exact || !c.hnsw) return exactSearch();
    // A small allowed subset is cheaper (and exact) to scan than to over-fetch.
    if (subset && subset.length <= k * this.#opts.overFetch) return exactSearch();
    const fetch = Math.min(c.ids.length, subset ? k * this.#opts.overFetch : k);
    const r = c.hnsw.search(q, fetch);
    const hits: Neighbour[] = [];
    for (let i = 0; i < r.keys.length && hits.length < k; i++) {
      const row = c.rowOfKey.get(BigInt(r.keys[i]!));
      if (row === undefined) continue;
      const id = c.ids[row]!;
      if (!allowed || allowed.has(id)) hits.push({ id, score: r.scores[i] });
    }
    if (hits.length < Math.min(k, subset ? subset.length : c.ids.length)) return exactSearch();
    return hits;
  }
}
