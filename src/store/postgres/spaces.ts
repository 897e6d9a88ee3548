/**
 * Vector spaces in PostgreSQL: the registry (`vector_spaces`: name, source table, dimension), one partial
 * HNSW expression index per space, and the search queries.
 *
 * ANN:   ORDER BY (vector::vector(D)) <=> q  — matches the space's index expression, so the planner walks
 *        the HNSW graph; filters are plain WHERE clauses on the joined items row, and with pgvector ≥ 0.8
 *        `hnsw.iterative_scan = relaxed_order` keeps scanning until k rows pass the filter.
 * Exact: ORDER BY vector <=> q — an expression no index has, so it is a scan + top-k sort (the reference).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import { LookbookError } from '../../errors.ts';
import type { ItemFilter, Neighbour } from '../../types.ts';
import { Params, filterToPg, literal, vectorToPg } from './sql.ts';

export type SpaceSource = 'features' | 'item_vectors';
export interface SpaceInfo {
  space: string;
  source: SpaceSource;
  dim: number;
  indexName: string | null;
}

export interface HnswOptions {
  /** HNSW graph degree (default 16). */
  m?: number;
  /** Build-time candidate list (default 128: at 1M × 1792 it built faster than 64 and gave better recall, docs/scale-out.md). */
  efConstruction?: number;
}

type Queryable = pg.Pool | pg.PoolClient;

export async function getSpace(db: Queryable, space: string): Promise<SpaceInfo | undefined> {
  const r = await db.query('SELECT space, source, dim, index_name FROM vector_spaces WHERE space = $1', [space]);
  const row = r.rows[0];
  return row ? { space: row.space, source: row.source, dim: Number(row.dim), indexName: row.index_name } : undefined;
}

export async function listSpaces(db: Queryable): Promise<SpaceInfo[]> {
  const r = await db.query('SELECT space, source, dim, index_name FROM vector_spaces ORDER BY space');
  return r.rows.map((row) => ({ space: row.space, source: row.source, dim: Number(row.dim), indexName: row.index_name }));
}

/** Registers a space (inside the caller's transaction) or checks its dimension and source. */
export async function registerSpace(client: pg.PoolClient, space: string, source: SpaceSource, dim: number): Promise<SpaceInfo> {
  if (!Number.isInteger(dim) || dim < 1 || dim > 16000) {
    throw new LookbookError('LB_ERR_DIMENSION', `dimension ${dim} is not supported (pgvector: 1..16000)`, { subject: space });
  }
  await client.query('INSERT INTO vector_spaces(space, source, dim) VALUES ($1, $2, $3) ON CONFLICT (space) DO NOTHING', [space, source, dim]);
  const info = (await getSpace(client, space))!;
  if (info.source !== source) {
    throw new LookbookError('LB_ERR_CONFLICT', `space ${space} already holds ${info.source === 'features' ? 'backbone features' : 'derived vectors'}`, {
      subject: space,
    });
  }
  if (info.dim !== dim) {
    throw new LookbookError('LB_ERR_DIMENSION', `space ${space} has dimension ${info.dim}, got ${dim}`, {
      subject: space,
      details: { expected: info.dim, actual: dim },
    });
  }
  return info;
}

function indexNameOf(info: Pick<SpaceInfo, 'space' | 'source' | 'dim'>): string {
  const h = crypto.createHash('sha1').update(`${info.source}\0${info.space}\0${info.dim}`).digest('hex').slice(0, 16);
  return `lb_hnsw_${h}`;
}

/**
 * Creates the space's HNSW index if it has none (HNSW indexes support 2000 dimensions for `vector`; above
 * that the space is searched exactly). Returns the index name or null.
 */
export async function ensureIndex(db: Queryable, info: SpaceInfo, opts: HnswOptions = {}): Promise<string | null> {
  if (info.indexName) return info.indexName;
  if (info.dim > 2000) return null;
  const name = indexNameOf(info);
  const table = info.source === 'features' ? 'features' : 'item_vectors';
  const col = info.source === 'features' ? 'backbone' : 'space';
  const m = opts.m ?? 16;
  const ef = opts.efConstruction ?? 128;
  await db.query(
    `CREATE INDEX IF NOT EXISTS ${name} ON ${table} USING hnsw ((vector::vector(${info.dim})) vector_cosine_ops)
     WITH (m = ${Math.trunc(m)}, ef_construction = ${Math.trunc(ef)}) WHERE ${col} = ${literal(info.space)}`,
  ).catch((e: { code?: string }) => {
    // Another process created it at the same moment: theirs serves us too.
    if (e?.code !== '42P07' && e?.code !== '23505') throw e;
  });
  await db.query('UPDATE vector_spaces SET index_name = $2 WHERE space = $1', [info.space, name]);
  info.indexName = name;
  return name;
}

/** The FROM/WHERE of a space's candidate rows joined to items `i`, with its vector expression `v`. */
function spaceFrom(info: SpaceInfo): string {
  return info.source === 'features'
    ? `features f JOIN items i ON i.content_hash = f.content_hash WHERE f.backbone = ${literal(info.space)}`
    : `item_vectors f JOIN items i ON i.id = f.item_id WHERE f.space = ${literal(info.space)}`;
}

export async function searchSpace(
  db: Queryable,
  info: SpaceInfo,
  query: Float32Array,
  k: number,
  opts: { filter?: ItemFilter; exact?: boolean } = {},
): Promise<Neighbour[]> {
  if (query.length !== info.dim) {
    throw new LookbookError('LB_ERR_DIMENSION', `query has dimension ${query.length}, space ${info.space} has ${info.dim}`, {
      details: { expected: info.dim, actual: query.length },
    });
  }
  const run = async (exact: boolean): Promise<Neighbour[]> => {
    const p = new Params();
    const q = p.add(vectorToPg(query));
    const where = filterToPg(opts.filter, p);
    const dist = exact ? `(f.vector <=> ${q}::vector)` : `((f.vector::vector(${info.dim})) <=> ${q}::vector(${info.dim}))`;
    const sql = `SELECT i.id, ${dist} AS d FROM ${spaceFrom(info)} AND ${where} ORDER BY ${dist} LIMIT ${p.add(k)}`;
    const r = await db.query(sql, p.values);
    const hits = r.rows.map((row) => ({ id: String(row.id), score: 1 - Number(row.d) }));
    // relaxed_order iterative scans may return rows slightly out of order
    return hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  if (opts.exact || !info.indexName) return run(true);
  const hits = await run(false);
  // Too few survivors of the filter (or a pgvector without iterative scans): the exact answer is cheap and right.
  return hits.length < k ? run(true) : hits;
}
