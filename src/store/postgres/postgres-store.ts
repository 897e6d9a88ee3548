/**
 * The scale-out store: PostgreSQL + pgvector through a `pg` Pool. Everything (items, features, derived
 * vectors, outfits, events, models, state, ingest jobs) lives in the database; vector search is SQL with
 * HNSW indexes (spaces.ts). Several processes may share one database (workers, API replicas).
 */
import pg from 'pg';
import { LookbookError } from '../../errors.ts';
import type { FeatureRecord, InteractionEvent, Item, ItemFilter, ModelRecord, Neighbour, Outfit } from '../../types.ts';
import type { Store } from '../store.ts';
import { checkItem, checkItemVectors, checkVectorRecord } from '../validate.ts';
import { migratePg } from './schema.ts';
import { Params, filterToPg, vectorFromPg, vectorIntoPg, vectorToPg, wrapPg } from './sql.ts';
import { ensureIndex, getSpace, listSpaces, registerSpace, searchSpace, type HnswOptions, type SpaceInfo } from './spaces.ts';
import { JobQueue } from './jobs.ts';
import { chunks, itemFromRow, modelFromRow, redact, textOf } from './rows.ts';

export { redact } from './rows.ts';

export interface PostgresStoreOptions extends HnswOptions {
  /** postgres://user:pass@host:port/db */
  url: string;
  /** Pool size (default 4). */
  maxConnections?: number;
  /** hnsw.ef_search for ANN queries (default 200; raised to k when k is larger). 400–800 for ~1M items. */
  efSearch?: number;
  /** Don't create HNSW indexes when a space first appears; call buildIndexes() after a bulk load. */
  deferIndexes?: boolean;
}

const ROWS_PER_INSERT = 500;
/** Vectors are read as base64 of pgvector's binary send format (pg's binary result mode corrupts bytes). */
const VEC = (col: string) => `encode(vector_send(${col}), 'base64')`;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly jobs: JobQueue;
  readonly #opts: PostgresStoreOptions;
  #closed = false;

  private constructor(pool: pg.Pool, opts: PostgresStoreOptions) {
    this.pool = pool;
    this.#opts = opts;
    this.jobs = new JobQueue(pool);
  }

  /** Connects, applies pending migrations (refusing a newer schema) and returns the store. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const ef = Math.max(1, Math.trunc(opts.efSearch ?? 200));
    const onConnect = async (client: pg.ClientBase) => {
      await client.query(`SET hnsw.ef_search = ${ef}`).catch(() => undefined);
      await client.query('SET hnsw.iterative_scan = relaxed_order').catch(() => undefined); // pgvector ≥ 0.8
    };
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 4, onConnect });
    pool.on('error', () => undefined); // idle-client errors surface on the next query instead
    try {
      await migratePg(pool);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw wrapPg(e, `open ${redact(opts.url)}`);
    }
    return new PostgresStore(pool, opts);
  }

  async #q(what: string, sql: string, params?: unknown[]): Promise<pg.QueryResult> {
    if (this.#closed) throw new LookbookError('LB_ERR_STORE', 'the store is closed');
    try {
      return await this.pool.query(sql, params);
    } catch (e) {
      throw wrapPg(e, what);
    }
  }

  async #tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new LookbookError('LB_ERR_STORE', 'the store is closed');
    const c = await this.pool.connect().catch((e) => {
      throw wrapPg(e, what);
    });
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw wrapPg(e, what);
    } finally {
      c.release();
    }
  }

  // --- items ------------------------------------------------------------------
  async upsertItems(items: Item[]): Promise<void> {
    items.forEach(checkItem);
    if (!items.length) return;
    const now = Date.now();
    // Last write of an id wins within one call (as row-by-row upserts would).
    const unique = [...new Map(items.map((it) => [it.id, it])).values()];
    await this.#tx('upsertItems', async (c) => {
      for (const part of chunks(unique, ROWS_PER_INSERT)) {
        const p = new Params();
        const rows = part.map(
          (it) =>
            `(${p.add(it.id)}, ${p.add(it.imagePath)}, ${p.add(it.contentHash)}, ${p.add(it.title)}, ${p.add(it.category)}, ` +
            `${p.add(it.colour)}, ${p.add(it.gender)}, ${p.add(it.price ?? null)}::float8, ${p.add(JSON.stringify(it.meta ?? {}))}::jsonb, ${p.add(now)}::int8)`,
        );
        await c.query(
          `INSERT INTO items(id, image_path, content_hash, title, category, colour, gender, price, meta, updated_at) VALUES ${rows.join(',')}
           ON CONFLICT (id) DO UPDATE SET image_path = excluded.image_path, content_hash = excluded.content_hash, title = excluded.title,
             category = excluded.category, colour = excluded.colour, gender = excluded.gender, price = excluded.price,
             meta = excluded.meta, updated_at = excluded.updated_at`,
          p.values,
        );
      }
    });
  }

  async getItem(id: string): Promise<Item | undefined> {
    const r = await this.#q('getItem', 'SELECT * FROM items WHERE id = $1', [id]);
    return r.rows[0] ? itemFromRow(r.rows[0]) : undefined;
  }

  async getItems(ids: string[]): Promise<Item[]> {
    if (!ids.length) return [];
    const r = await this.#q(
      'getItems',
      'SELECT i.* FROM unnest($1::text[]) WITH ORDINALITY AS j(id, n) JOIN items i ON i.id = j.id ORDER BY j.n',
      [ids],
    );
    return r.rows.map(itemFromRow);
  }

  async listItems(opts: { filter?: ItemFilter; limit?: number; offset?: number } = {}): Promise<Item[]> {
    const offset = opts.offset ?? 0;
    if ((opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < -1)) || !Number.isInteger(offset) || offset < 0) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'limit and offset must be non-negative integers');
    }
    const p = new Params();
    const where = filterToPg(opts.filter, p);
    const limit = opts.limit === undefined || opts.limit < 0 ? 'ALL' : p.add(opts.limit);
    const r = await this.#q('listItems', `SELECT i.* FROM items i WHERE ${where} ORDER BY i.id LIMIT ${limit} OFFSET ${p.add(offset)}`, p.values);
    return r.rows.map(itemFromRow);
  }

  async countItems(filter?: ItemFilter): Promise<number> {
    const p = new Params();
    const r = await this.#q('countItems', `SELECT COUNT(*) AS n FROM items i WHERE ${filterToPg(filter, p)}`, p.values);
    return Number(r.rows[0].n);
  }

  async deleteItems(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    return (await this.#q('deleteItems', 'DELETE FROM items WHERE id = ANY($1::text[])', [ids])).rowCount ?? 0;
  }

  async itemHashes(): Promise<Map<string, string | null>> {
    const r = await this.#q('itemHashes', 'SELECT id, content_hash FROM items');
    return new Map(r.rows.map((row) => [row.id as string, row.content_hash as string | null]));
  }

  // --- features -----------------------------------------------------------------
  async putFeatures(records: FeatureRecord[]): Promise<void> {
    records.forEach((r) => checkVectorRecord(r.vector, r.contentHash));
    if (!records.length) return;
    const now = Date.now();
    const unique = [...new Map(records.map((r) => [`${r.backbone}\0${r.contentHash}`, r])).values()];
    const created: SpaceInfo[] = [];
    await this.#tx('putFeatures', async (c) => {
      const spaces = new Map<string, SpaceInfo>();
      for (const r of unique) {
        if (!r.backbone) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'feature record without a backbone', { subject: r.contentHash });
        let info = spaces.get(r.backbone);
        if (!info) {
          info = await registerSpace(c, r.backbone, 'features', r.vector.length);
          spaces.set(r.backbone, info);
          if (!info.indexName) created.push(info);
        }
        if (r.vector.length !== info.dim) {
          throw new LookbookError('LB_ERR_DIMENSION', `backbone ${r.backbone} has dimension ${info.dim}, got ${r.vector.length}`, { subject: r.contentHash });
        }
      }
      for (const part of chunks(unique, ROWS_PER_INSERT)) {
        const p = new Params();
        const rows = part.map(
          (r) => `(${p.add(r.contentHash)}, ${p.add(r.backbone)}, ${p.add(r.vector.length)}::int4, ${p.add(vectorToPg(r.vector))}::vector, ${p.add(JSON.stringify(r.attributes ?? {}))}::jsonb, ${p.add(now)}::int8)`,
        );
        await c.query(
          `INSERT INTO features(content_hash, backbone, dim, vector, attributes, updated_at) VALUES ${rows.join(',')}
           ON CONFLICT (content_hash, backbone) DO UPDATE SET dim = excluded.dim, vector = excluded.vector,
             attributes = excluded.attributes, updated_at = excluded.updated_at`,
          p.values,
        );
      }
    });
    if (!this.#opts.deferIndexes) for (const info of created) await this.#ensureIndex(info);
  }

  async #ensureIndex(info: SpaceInfo): Promise<void> {
    try {
      await ensureIndex(this.pool, info, this.#opts);
    } catch (e) {
      throw wrapPg(e, `create HNSW index for ${info.space}`);
    }
  }

  /** Creates the HNSW index of every space that lacks one (after a bulk load with deferIndexes). */
  async buildIndexes(): Promise<string[]> {
    const built: string[] = [];
    for (const info of await listSpaces(this.pool)) {
      if (info.indexName) continue;
      await this.#ensureIndex(info);
      if (info.indexName) built.push(info.indexName);
    }
    return built;
  }

  async getFeatures(contentHash: string, backbone: string): Promise<FeatureRecord | undefined> {
    const r = await this.#q(
      'getFeatures',
      `SELECT ${VEC('vector')} AS vector, attributes FROM features WHERE content_hash = $1 AND backbone = $2`,
      [contentHash, backbone],
    );
    const row = r.rows[0];
    return row ? { contentHash, backbone, vector: vectorFromPg(row.vector), attributes: row.attributes ?? {} } : undefined;
  }

  async hasFeatures(contentHashes: string[], backbone: string): Promise<Set<string>> {
    if (!contentHashes.length) return new Set();
    const r = await this.#q('hasFeatures', 'SELECT content_hash FROM features WHERE backbone = $2 AND content_hash = ANY($1::text[])', [contentHashes, backbone]);
    return new Set(r.rows.map((row) => row.content_hash as string));
  }

  async itemFeatures(ids: string[], backbone: string): Promise<Map<string, FeatureRecord>> {
    if (!ids.length) return new Map();
    const r = await this.#q(
      'itemFeatures',
      `SELECT i.id, f.content_hash, ${VEC('f.vector')} AS vector, f.attributes FROM items i
       JOIN features f ON f.content_hash = i.content_hash AND f.backbone = $2 WHERE i.id = ANY($1::text[])`,
      [ids, backbone],
    );
    return new Map(
      r.rows.map((row) => [
        textOf(row.id),
        { contentHash: textOf(row.content_hash), backbone, vector: vectorFromPg(row.vector), attributes: row.attributes ?? {} },
      ]),
    );
  }

  async allItemVectors(backbone: string): Promise<{ ids: string[]; dim: number; vectors: Float32Array }> {
    const r = await this.#q(
      'allItemVectors',
      `SELECT i.id, ${VEC('f.vector')} AS vector FROM items i JOIN features f ON f.content_hash = i.content_hash AND f.backbone = $1 ORDER BY i.id`,
      [backbone],
    );
    const bufs = r.rows.map((row) => Buffer.from(row.vector as string, 'base64'));
    const dim = bufs.length ? bufs[0].readUInt16BE(0) : 0;
    const vectors = new Float32Array(r.rows.length * dim);
    const ids = r.rows.map((row, i) => {
      const id = textOf(row.id);
      if (vectorIntoPg(bufs[i], vectors, i * dim) !== dim) throw new LookbookError('LB_ERR_DIMENSION', `backbone ${backbone} mixes dimensions`, { subject: id });
      return id;
    });
    return { ids, dim, vectors };
  }

  // --- vector search ------------------------------------------------------------
  async searchVectors(space: string, query: Float32Array, k: number, opts: { filter?: ItemFilter; exact?: boolean } = {}): Promise<Neighbour[]> {
    if (!(query instanceof Float32Array)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'query must be a Float32Array');
    if (!Number.isInteger(k) || k <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
    checkVectorRecord(query, 'query');
    try {
      const info = await getSpace(this.pool, space);
      if (!info) return [];
      return await searchSpace(this.pool, info, query, k, opts);
    } catch (e) {
      throw wrapPg(e, 'searchVectors');
    }
  }

  async putItemVectors(space: string, ids: string[], vectors: Float32Array, dim: number): Promise<void> {
    checkItemVectors(space, ids, vectors, dim);
    const now = Date.now();
    let created: SpaceInfo | undefined;
    await this.#tx('putItemVectors', async (c) => {
      const info = await registerSpace(c, space, 'item_vectors', dim);
      if (!info.indexName) created = info;
      const order = ids.map((_, i) => i);
      for (const part of chunks(order, ROWS_PER_INSERT)) {
        const p = new Params();
        const rows = part.map((i) => `(${p.add(space)}, ${p.add(ids[i])}, ${p.add(dim)}::int4, ${p.add(vectorToPg(vectors.subarray(i * dim, (i + 1) * dim)))}::vector, ${p.add(now)}::int8)`);
        await c.query(
          `INSERT INTO item_vectors(space, item_id, dim, vector, updated_at) VALUES ${rows.join(',')}
           ON CONFLICT (space, item_id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector, updated_at = excluded.updated_at`,
          p.values,
        );
      }
    });
    if (created && !this.#opts.deferIndexes) await this.#ensureIndex(created);
  }

  async getItemVectors(space: string, ids: string[]): Promise<Map<string, Float32Array>> {
    if (!ids.length) return new Map();
    const info = await getSpace(this.pool, space).catch((e) => {
      throw wrapPg(e, 'getItemVectors');
    });
    const sql =
      info?.source === 'item_vectors'
        ? `SELECT item_id AS id, ${VEC('vector')} AS vector FROM item_vectors WHERE space = $2 AND item_id = ANY($1::text[])`
        : `SELECT i.id, ${VEC('f.vector')} AS vector FROM items i JOIN features f ON f.content_hash = i.content_hash AND f.backbone = $2 WHERE i.id = ANY($1::text[])`;
    const r = await this.#q('getItemVectors', sql, [ids, space]);
    return new Map(r.rows.map((row) => [textOf(row.id), vectorFromPg(row.vector)]));
  }

  // --- outfits ------------------------------------------------------------------
  async putOutfits(outfits: Outfit[]): Promise<void> {
    for (const o of outfits) {
      if (!o.id || !Array.isArray(o.itemIds)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an outfit needs an id and itemIds', { subject: o.id });
    }
    if (!outfits.length) return;
    await this.#tx('putOutfits', async (c) => {
      for (const o of outfits) {
        await c.query('INSERT INTO outfits(id, meta) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET meta = excluded.meta', [o.id, JSON.stringify(o.meta ?? {})]);
        await c.query('DELETE FROM outfit_items WHERE outfit_id = $1', [o.id]);
        if (o.itemIds.length) {
          await c.query(
            'INSERT INTO outfit_items(outfit_id, position, item_id) SELECT $1, n - 1, item FROM unnest($2::text[]) WITH ORDINALITY AS u(item, n)',
            [o.id, o.itemIds],
          );
        }
      }
    });
  }

  async listOutfits(): Promise<Outfit[]> {
    const r = await this.#q(
      'listOutfits',
      `SELECT o.id, o.meta, COALESCE(array_agg(oi.item_id ORDER BY oi.position) FILTER (WHERE oi.item_id IS NOT NULL), '{}') AS items
       FROM outfits o LEFT JOIN outfit_items oi ON oi.outfit_id = o.id GROUP BY o.id, o.meta ORDER BY o.id`,
    );
    return r.rows.map((row) => ({ id: row.id, itemIds: row.items, meta: row.meta ?? {} }));
  }

  // --- events -------------------------------------------------------------------
  async addEvents(events: InteractionEvent[]): Promise<number> {
    for (const e of events) {
      if (!e.userId || !e.itemId || !e.kind || !Number.isFinite(e.timestamp)) {
        throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an event needs userId, itemId, kind and a numeric timestamp', { subject: e.userId });
      }
    }
    if (!events.length) return 0;
    return this.#tx('addEvents', async (c) => {
      let n = 0;
      for (const part of chunks(events, ROWS_PER_INSERT)) {
        const p = new Params();
        const rows = part.map((e) => `(${p.add(e.userId)}, ${p.add(e.itemId)}, ${p.add(e.kind)}, ${p.add(e.value ?? null)}::float8, ${p.add(Math.trunc(e.timestamp))}::int8)`);
        const r = await c.query(`INSERT INTO events(user_id, item_id, kind, value, ts) VALUES ${rows.join(',')} ON CONFLICT DO NOTHING`, p.values);
        n += r.rowCount ?? 0;
      }
      return n;
    });
  }

  async listEvents(opts: { userId?: string; before?: number } = {}): Promise<InteractionEvent[]> {
    const p = new Params();
    const where: string[] = [];
    if (opts.userId !== undefined) where.push(`user_id = ${p.add(opts.userId)}`);
    if (opts.before !== undefined) where.push(`ts < ${p.add(opts.before)}`);
    const r = await this.#q(
      'listEvents',
      `SELECT user_id, item_id, kind, value, ts FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts, seq`,
      p.values,
    );
    return r.rows.map((row) => ({ userId: row.user_id, itemId: row.item_id, kind: row.kind, value: row.value === null ? null : Number(row.value), timestamp: Number(row.ts) }));
  }

  // --- models -------------------------------------------------------------------
  async putModel(record: Omit<ModelRecord, 'version' | 'createdAt'>): Promise<ModelRecord> {
    if (!record.name || !record.kind) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a model needs a name and a kind');
    return this.#tx('putModel', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lookbook-model:${record.name}`]);
      const createdAt = Date.now();
      const r = await c.query(
        `INSERT INTO models(name, version, kind, created_at, path, metrics, meta)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5::jsonb, $6::jsonb FROM models WHERE name = $1 RETURNING version`,
        [record.name, record.kind, createdAt, record.path, JSON.stringify(record.metrics ?? {}), JSON.stringify(record.meta ?? {})],
      );
      return { ...record, metrics: record.metrics ?? {}, meta: record.meta ?? {}, version: Number(r.rows[0].version), createdAt };
    });
  }

  async getModel(name: string): Promise<ModelRecord | undefined> {
    const r = await this.#q('getModel', 'SELECT * FROM models WHERE name = $1 ORDER BY version DESC LIMIT 1', [name]);
    return r.rows[0] ? modelFromRow(r.rows[0]) : undefined;
  }

  async listModels(): Promise<ModelRecord[]> {
    return (await this.#q('listModels', 'SELECT * FROM models ORDER BY name, version')).rows.map(modelFromRow);
  }

  // --- state --------------------------------------------------------------------
  async getState(key: string): Promise<string | undefined> {
    return (await this.#q('getState', 'SELECT value FROM state WHERE key = $1', [key])).rows[0]?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.#q('setState', 'INSERT INTO state(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

