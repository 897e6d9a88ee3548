/**
 * In-memory vector caches of the SQLite store, one per space (a backbone name, or a derived space
 * stored in item_vectors). Each cache holds the ids, an L2-normalised matrix and, once the space
 * has at least `annThreshold` rows, a usearch HNSW index persisted at <dataDir>/index/<space>.usearch.
 *
 * Staleness: every write bumps generation counters in `state` (gen:items when item membership or
 * content hashes change, gen:features:<backbone>, gen:vectors:<space>), in the write's transaction.
 * A space's stamp is those counters; the cache and the index file carry the
 * stamp they were built from (`index:<space>` in state, with row count, dim and file size). Any difference → rebuild from SQLite.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { LookbookError } from '../../errors.ts';
import { topKDot } from '../../index/exact/top-k.ts';
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
  hnsw?: HnswIndex;
  /** How the ANN index was obtained for this cache (for tests and diagnostics). */
  indexSource?: 'loaded' | 'built';
  /** Change mark (see #changeMark) at which `stamp` was last found current. */
  mark?: string;
}

export interface IndexStateRecord {
  stamp: string;
  bytes: number;
  n: number;
  dim: number;
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
    if (loaded.ids.length >= this.#opts.annThreshold) this.#attachIndex(loaded);
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
      let dim = 0;
      let matrix = new Float32Array(0);
      let bytes = new Uint8Array(0);
      for (const r of this.#db.prepare(sql).iterate(space) as Iterable<{ id: string; dim: number; vector: Buffer }>) {
        if (dim === 0) {
          dim = r.dim;
          matrix = new Float32Array(n * dim);
          bytes = new Uint8Array(matrix.buffer);
        }
        if (r.dim !== dim || r.vector.byteLength !== dim * 4) {
          throw new LookbookError('LB_ERR_DIMENSION', `space ${space} mixes dimensions ${dim} and ${r.dim} (item ${r.id})`, { subject: r.id });
        }
        bytes.set(r.vector, ids.length * dim * 4);
        ids.push(r.id);
      }
      normalizeRows(matrix, dim);
      const rowOf = new Map(ids.map((id, i) => [id, i] as const));
      return { space, stamp, ids, rowOf, dim, matrix } satisfies SpaceCache;
    }).deferred();
  }

  #attachIndex(c: SpaceCache): void {
    const file = this.indexPath(c.space);
    const saved = this.indexState(c.space);
    if (saved && saved.stamp === c.stamp && saved.n === c.ids.length && saved.dim === c.dim && fs.existsSync(file)) {
      try {
        if (fs.statSync(file).size === saved.bytes) {
          const idx = HnswIndex.load(file, { ...this.#opts.hnsw, dim: c.dim, metric: 'cos' });
          if (idx.size() === c.ids.length) {
            c.hnsw = idx;
            c.indexSource = 'loaded';
            return;
          }
        }
      } catch {
        // Corrupt or unreadable: rebuilt below from the store, the source of truth.
      }
    }
    c.hnsw = this.#build(c);
    c.indexSource = 'built';
  }

  #build(c: SpaceCache): HnswIndex {
    const idx = new HnswIndex({ ...this.#opts.hnsw, dim: c.dim, metric: 'cos' });
    idx.add(
      BigUint64Array.from(c.ids, (_, i) => BigInt(i)),
      c.matrix,
    );
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
      idx.save(file);
      const rec: IndexStateRecord = { stamp: c.stamp, bytes: fs.statSync(file).size, n: c.ids.length, dim: c.dim };
      this.#setState.run(indexStateKey(c.space), JSON.stringify(rec));
    };
    if (this.#db.inTransaction) return save();
    try {
      this.#db.transaction(save).immediate();
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
      const id = c.ids[Number(r.keys[i])];
      if (!allowed || allowed.has(id)) hits.push({ id, score: r.scores[i] });
    }
    if (hits.length < Math.min(k, subset ? subset.length : c.ids.length)) return exactSearch();
    return hits;
  }
}
