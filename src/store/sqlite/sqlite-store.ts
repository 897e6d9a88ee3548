/**
 * The embedded store: SQLite (better-sqlite3, WAL) is the source of truth; vector search goes
 * through in-memory caches and usearch HNSW index files derived from it (see vector-spaces.ts).
 * Layout: <dataDir>/lookbook.db, <dataDir>/index/<space>.usearch.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LookbookError } from '../../errors.ts';
import { removeStaleTemps } from '../../index/atomic-file.ts';
import type { FeatureRecord, InteractionEvent, Item, ItemFilter, ModelRecord, Neighbour, Outfit } from '../../types.ts';
import type { Store } from '../store.ts';
import { filterToSql, isEmptyFilter } from './filter-sql.ts';
import {
  blobToVector,
  eventFromRow,
  featureFromRow,
  itemFromRow,
  modelFromRow,
  vectorToBlob,
  type EventRow,
  type FeatureRow,
  type ItemRow,
  type ModelRow,
} from './rows.ts';
import { migrate } from './schema.ts';
import { StatementCache } from './statements.ts';
import { GEN_ITEMS, genFeatures, genVectors, VectorSpaces, type VectorSpaceOptions } from './vector-spaces.ts';
import { wrapSqlite } from './validate.ts';
import { checkItem, checkItemVectors, checkVectorRecord } from '../validate.ts';

export interface SqliteStoreOptions extends VectorSpaceOptions {
  dataDir: string;
  /** Milliseconds to wait for another process's write lock (default 5000). */
  busyTimeoutMs?: number;
}

export const DB_FILE = 'lookbook.db';
const MMAP_BYTES = 1024 * 1024 * 1024;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly dataDir: string;
  readonly db: Database.Database;
  readonly spaces: VectorSpaces;
  readonly #stmts: StatementCache;
  #closed = false;

  constructor(opts: SqliteStoreOptions) {
    if (!opts.dataDir) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'dataDir is required');
    this.dataDir = path.resolve(opts.dataDir);
    const indexDir = path.join(this.dataDir, 'index');
    fs.mkdirSync(indexDir, { recursive: true });
    removeStaleTemps(indexDir);
    try {
      this.db = new Database(path.join(this.dataDir, DB_FILE), { timeout: opts.busyTimeoutMs ?? 5000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      // Reads go through a memory map instead of a read() per page: feature rows are ~7 KB blobs on
      // overflow pages, and the similar-items path reads 20+ of them per request. Address space only.
      this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    } catch (e) {
      throw new LookbookError('LB_ERR_STORE', `cannot open ${path.join(this.dataDir, DB_FILE)}: ${(e as Error).message}`, { cause: e });
    }
    try {
      migrate(this.db);
    } catch (e) {
      this.db.close();
      throw wrapSqlite(e, 'migrate');
    }
    this.spaces = new VectorSpaces(this.db, indexDir, opts);
    this.#stmts = new StatementCache(this.db);
  }

  #tx<T>(what: string, fn: () => T): T {
    if (this.#closed) throw new LookbookError('LB_ERR_STORE', 'the store is closed');
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw wrapSqlite(e, what);
    }
  }

  #read<T>(what: string, fn: () => T): T {
    if (this.#closed) throw new LookbookError('LB_ERR_STORE', 'the store is closed');
    try {
      return this.db.transaction(fn).deferred();
    } catch (e) {
      throw wrapSqlite(e, what);
    }
  }

  /** One statement (atomic on its own: no transaction wrapper), errors mapped like #read. */
  #one<T>(what: string, fn: () => T): T {
    if (this.#closed) throw new LookbookError('LB_ERR_STORE', 'the store is closed');
    try {
      return fn();
    } catch (e) {
      throw wrapSqlite(e, what);
    }
  }

  #bump(key: string): void {
    this.db
      .prepare(`INSERT INTO state(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`)
      .run(key);
  }

  // --- items ----------------------------------------------------------------
  async upsertItems(items: Item[]): Promise<void> {
    items.forEach(checkItem);
    const now = Date.now();
    this.#tx('upsertItems', () => {
      const prev = this.db.prepare('SELECT content_hash FROM items WHERE id = ?');
      const up = this.db.prepare(`INSERT INTO items(id, image_path, content_hash, title, category, colour, gender, price, meta, updated_at)
        VALUES (@id, @imagePath, @contentHash, @title, @category, @colour, @gender, @price, @meta, @now)
        ON CONFLICT(id) DO UPDATE SET image_path = excluded.image_path, content_hash = excluded.content_hash,
          title = excluded.title, category = excluded.category, colour = excluded.colour, gender = excluded.gender,
          price = excluded.price, meta = excluded.meta, updated_at = excluded.updated_at`);
      let membership = false;
      for (const it of items) {
        const old = prev.get(it.id) as { content_hash: string | null } | undefined;
        if (!old || old.content_hash !== it.contentHash) membership = true;
        up.run({ ...it, meta: JSON.stringify(it.meta ?? {}), now });
      }
      if (membership) this.#bump(GEN_ITEMS);
    });
    this.spaces.invalidate();
  }

  async getItem(id: string): Promise<Item | undefined> {
    const r = this.#one('getItem', () => this.#stmts.get('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined);
    return r ? itemFromRow(r) : undefined;
  }

  async getItems(ids: string[]): Promise<Item[]> {
    const rows = this.#one(
      'getItems',
      () =>
        this.#stmts
          .get(`SELECT i.* FROM json_each(?) j CROSS JOIN items i ON i.id = j.value ORDER BY j.key`)
          .all(JSON.stringify(ids)) as ItemRow[],
    );
    return rows.map(itemFromRow);
  }

  async listItems(opts: { filter?: ItemFilter; limit?: number; offset?: number } = {}): Promise<Item[]> {
    const w = filterToSql(opts.filter);
    const limit = opts.limit ?? -1;
    const offset = opts.offset ?? 0;
    if (!Number.isInteger(limit) || !Number.isInteger(offset) || offset < 0) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'limit and offset must be non-negative integers');
    }
    const rows = this.#read(
      'listItems',
      () => this.db.prepare(`SELECT i.* FROM items i WHERE ${w.sql} ORDER BY i.id LIMIT ? OFFSET ?`).all(...w.params, limit, offset) as ItemRow[],
    );
    return rows.map(itemFromRow);
  }

  async countItems(filter?: ItemFilter): Promise<number> {
    const w = filterToSql(filter);
    return this.#one('countItems', () => this.#stmts.get(`SELECT COUNT(*) FROM items i WHERE ${w.sql}`, { pluck: true }).get(...w.params) as number);
  }

  async deleteItems(ids: string[]): Promise<number> {
    const n = this.#tx('deleteItems', () => {
      const r = this.db.prepare('DELETE FROM items WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
      if (r.changes > 0) this.#bump(GEN_ITEMS);
      return r.changes;
    });
    this.spaces.invalidate();
    return n;
  }

  async itemHashes(): Promise<Map<string, string | null>> {
    const rows = this.#read('itemHashes', () => this.db.prepare('SELECT id, content_hash FROM items').all() as { id: string; content_hash: string | null }[]);
    return new Map(rows.map((r) => [r.id, r.content_hash]));
  }

  // --- features ---------------------------------------------------------------
  async putFeatures(records: FeatureRecord[]): Promise<void> {
    records.forEach((r) => checkVectorRecord(r.vector, r.contentHash));
    const now = Date.now();
    const backbones = new Set<string>();
    this.#tx('putFeatures', () => {
      const dimOf = this.db.prepare('SELECT dim FROM features WHERE backbone = ? LIMIT 1').pluck();
      const put = this.db.prepare(`INSERT INTO features(content_hash, backbone, dim, vector, attributes, updated_at)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(content_hash, backbone) DO UPDATE SET dim = excluded.dim,
        vector = excluded.vector, attributes = excluded.attributes, updated_at = excluded.updated_at`);
      const dims = new Map<string, number>();
      for (const r of records) {
        if (!r.backbone) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'feature record without a backbone', { subject: r.contentHash });
        let dim = dims.get(r.backbone) ?? (dimOf.get(r.backbone) as number | undefined);
        dim ??= r.vector.length;
        dims.set(r.backbone, dim);
        if (r.vector.length !== dim) {
          throw new LookbookError('LB_ERR_DIMENSION', `backbone ${r.backbone} has dimension ${dim}, got ${r.vector.length}`, {
            subject: r.contentHash,
          });
        }
        put.run(r.contentHash, r.backbone, dim, vectorToBlob(r.vector), JSON.stringify(r.attributes ?? {}), now);
        backbones.add(r.backbone);
      }
      for (const b of backbones) this.#bump(genFeatures(b));
    });
    for (const b of backbones) this.spaces.invalidate(b);
  }

  async getFeatures(contentHash: string, backbone: string): Promise<FeatureRecord | undefined> {
    const r = this.#one(
      'getFeatures',
      () =>
        this.#stmts.get('SELECT content_hash, backbone, vector, attributes FROM features WHERE content_hash = ? AND backbone = ?').get(contentHash, backbone) as
          | FeatureRow
          | undefined,
    );
    return r ? featureFromRow(r) : undefined;
  }

  async hasFeatures(contentHashes: string[], backbone: string): Promise<Set<string>> {
    const rows = this.#read(
      'hasFeatures',
      () =>
        this.db
          .prepare('SELECT f.content_hash FROM json_each(?) j CROSS JOIN features f ON f.content_hash = j.value AND f.backbone = ?')
          .pluck()
          .all(JSON.stringify(contentHashes), backbone) as string[],
    );
    return new Set(rows);
  }

  async itemFeatures(ids: string[], backbone: string): Promise<Map<string, FeatureRecord>> {
    const rows = this.#one(
      'itemFeatures',
      () =>
        this.#stmts
          .get(`SELECT i.id AS item_id, f.content_hash, f.backbone, f.vector, f.attributes FROM json_each(?) j
            JOIN items i ON i.id = j.value CROSS JOIN features f ON f.content_hash = i.content_hash AND f.backbone = ?`)
          .all(JSON.stringify(ids), backbone) as (FeatureRow & { item_id: string })[],
    );
    return new Map(rows.map((r) => [r.item_id, featureFromRow(r)]));
  }

  async allItemVectors(backbone: string): Promise<{ ids: string[]; dim: number; vectors: Float32Array }> {
    const rows = this.#read(
      'allItemVectors',
      () =>
        this.db
          .prepare(`SELECT i.id, f.dim, f.vector FROM items i JOIN features f ON f.content_hash = i.content_hash AND f.backbone = ? ORDER BY i.id`)
          .all(backbone) as { id: string; dim: number; vector: Buffer }[],
    );
    const dim = rows[0]?.dim ?? 0;
    const vectors = new Float32Array(rows.length * dim);
    const bytes = new Uint8Array(vectors.buffer);
    rows.forEach((r, i) => {
      if (r.dim !== dim) throw new LookbookError('LB_ERR_DIMENSION', `backbone ${backbone} mixes dimensions ${dim} and ${r.dim}`, { subject: r.id });
      bytes.set(r.vector, i * dim * 4);
    });
    return { ids: rows.map((r) => r.id), dim, vectors };
  }

  // --- vector search ----------------------------------------------------------
  async searchVectors(space: string, query: Float32Array, k: number, opts: { filter?: ItemFilter; exact?: boolean } = {}): Promise<Neighbour[]> {
    let allowed: Set<string> | undefined;
    const { excludeIds, ...rest } = opts.filter ?? {};
    if (!isEmptyFilter(rest)) {
      const w = filterToSql(rest);
      allowed = new Set(this.#one('searchVectors', () => this.#stmts.get(`SELECT i.id FROM items i WHERE ${w.sql}`, { pluck: true }).all(...w.params) as string[]));
    }
    const excluded = excludeIds?.length ? new Set(excludeIds) : undefined;
    try {
      return this.spaces.search(space, query, k, { allowed, excluded, exact: opts.exact });
    } catch (e) {
      throw wrapSqlite(e, 'searchVectors');
    }
  }

  async putItemVectors(space: string, ids: string[], vectors: Float32Array, dim: number): Promise<void> {
    checkItemVectors(space, ids, vectors, dim);
    const now = Date.now();
    this.#tx('putItemVectors', () => {
      const have = this.db.prepare('SELECT dim FROM item_vectors WHERE space = ? LIMIT 1').pluck().get(space) as number | undefined;
      if (have !== undefined && have !== dim) {
        throw new LookbookError('LB_ERR_DIMENSION', `space ${space} has dimension ${have}, got ${dim}`, { details: { expected: have, actual: dim } });
      }
      const put = this.db.prepare(`INSERT INTO item_vectors(space, item_id, dim, vector, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(space, item_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, updated_at = excluded.updated_at`);
      ids.forEach((id, i) => put.run(space, id, dim, vectorToBlob(vectors.subarray(i * dim, (i + 1) * dim)), now));
      this.#bump(genVectors(space));
    });
    this.spaces.invalidate(space);
  }

  async getItemVectors(space: string, ids: string[]): Promise<Map<string, Float32Array>> {
    const rows = this.#read('getItemVectors', () => {
      const sql = this.spaces.isDerived(space)
        ? 'SELECT v.item_id AS id, v.vector FROM json_each(?) j CROSS JOIN item_vectors v ON v.space = ? AND v.item_id = j.value'
        : `SELECT i.id AS id, f.vector FROM json_each(?) j CROSS JOIN items i ON i.id = j.value
           CROSS JOIN features f ON f.content_hash = i.content_hash AND f.backbone = ?`;
      return this.db.prepare(sql).all(JSON.stringify(ids), space) as { id: string; vector: Buffer }[];
    });
    return new Map(rows.map((r) => [r.id, blobToVector(r.vector)]));
  }

  // --- outfits ----------------------------------------------------------------
  async putOutfits(outfits: Outfit[]): Promise<void> {
    this.#tx('putOutfits', () => {
      const up = this.db.prepare('INSERT INTO outfits(id, meta) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET meta = excluded.meta');
      const clear = this.db.prepare('DELETE FROM outfit_items WHERE outfit_id = ?');
      const add = this.db.prepare('INSERT INTO outfit_items(outfit_id, position, item_id) VALUES (?, ?, ?)');
      for (const o of outfits) {
        if (!o.id || !Array.isArray(o.itemIds)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an outfit needs an id and itemIds', { subject: o.id });
        up.run(o.id, JSON.stringify(o.meta ?? {}));
        clear.run(o.id);
        o.itemIds.forEach((item, i) => add.run(o.id, i, item));
      }
    });
  }

  async listOutfits(): Promise<Outfit[]> {
    return this.#read('listOutfits', () => {
      const outfits = this.db.prepare('SELECT id, meta FROM outfits ORDER BY id').all() as { id: string; meta: string }[];
      const items = this.db.prepare('SELECT outfit_id, item_id FROM outfit_items ORDER BY outfit_id, position').all() as { outfit_id: string; item_id: string }[];
      const byOutfit = new Map<string, string[]>();
      for (const r of items) {
        const list = byOutfit.get(r.outfit_id) ?? [];
        list.push(r.item_id);
        byOutfit.set(r.outfit_id, list);
      }
      return outfits.map((o) => ({ id: o.id, itemIds: byOutfit.get(o.id) ?? [], meta: JSON.parse(o.meta) as Record<string, string> }));
    });
  }

  // --- events -----------------------------------------------------------------
  async addEvents(events: InteractionEvent[]): Promise<number> {
    for (const e of events) {
      if (!e.userId || !e.itemId || !e.kind || !Number.isFinite(e.timestamp)) {
        throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an event needs userId, itemId, kind and a numeric timestamp', { subject: e.userId });
      }
    }
    return this.#tx('addEvents', () => {
      const ins = this.db.prepare('INSERT OR IGNORE INTO events(user_id, item_id, kind, value, ts) VALUES (?, ?, ?, ?, ?)');
      let n = 0;
      for (const e of events) n += ins.run(e.userId, e.itemId, e.kind, e.value ?? null, e.timestamp).changes;
      return n;
    });
  }

  async listEvents(opts: { userId?: string; before?: number } = {}): Promise<InteractionEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.userId !== undefined) {
      where.push('user_id = ?');
      params.push(opts.userId);
    }
    if (opts.before !== undefined) {
      where.push('ts < ?');
      params.push(opts.before);
    }
    const sql = `SELECT user_id, item_id, kind, value, ts FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts, seq`;
    return (this.#read('listEvents', () => this.db.prepare(sql).all(...params)) as EventRow[]).map(eventFromRow);
  }

  // --- models -----------------------------------------------------------------
  async putModel(record: Omit<ModelRecord, 'version' | 'createdAt'>): Promise<ModelRecord> {
    if (!record.name || !record.kind) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a model needs a name and a kind');
    return this.#tx('putModel', () => {
      const version = ((this.db.prepare('SELECT MAX(version) FROM models WHERE name = ?').pluck().get(record.name) as number | null) ?? 0) + 1;
      const createdAt = Date.now();
      this.db
        .prepare('INSERT INTO models(name, version, kind, created_at, path, metrics, meta) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(record.name, version, record.kind, createdAt, record.path, JSON.stringify(record.metrics ?? {}), JSON.stringify(record.meta ?? {}));
      return { ...record, metrics: record.metrics ?? {}, meta: record.meta ?? {}, version, createdAt };
    });
  }

  async getModel(name: string): Promise<ModelRecord | undefined> {
    const r = this.#one('getModel', () => this.#stmts.get('SELECT * FROM models WHERE name = ? ORDER BY version DESC LIMIT 1').get(name) as ModelRow | undefined);
    return r ? modelFromRow(r) : undefined;
  }

  /** Every version of every model, by name then version. */
  async listModels(): Promise<ModelRecord[]> {
    return (this.#one('listModels', () => this.#stmts.get('SELECT * FROM models ORDER BY name, version').all()) as ModelRow[]).map(modelFromRow);
  }

  // --- state ------------------------------------------------------------------
  async getState(key: string): Promise<string | undefined> {
    return this.#read('getState', () => this.db.prepare('SELECT value FROM state WHERE key = ?').pluck().get(key) as string | undefined);
  }

  async setState(key: string, value: string): Promise<void> {
    this.#tx('setState', () => {
      this.db.prepare('INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  /** Builds (or loads) the ANN index of a space now instead of at the first search. */
  async warmIndex(space: string): Promise<{ size: number; source?: 'loaded' | 'built' | 'updated' }> {
    const c = this.spaces.cache(space);
    return { size: c?.ids.length ?? 0, source: c?.indexSource };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.spaces.invalidate();
    this.#stmts.clear();
    this.db.close();
  }
}
