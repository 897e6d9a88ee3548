/**
 * Versioned schema migrations for the PostgreSQL store. Append a migration to add a change; never edit one
 * that has shipped. Each migration runs in its own transaction under an advisory lock (so two processes
 * starting at once don't race); a database whose newest applied version is above the code's is refused.
 *
 * Vectors: the `vector` columns are untyped (any dimension). Each vector space (a backbone, or a derived
 * space) records its dimension in `vector_spaces` and gets a partial HNSW expression index
 * `((vector::vector(D)) vector_cosine_ops) WHERE backbone = '<space>'` (see indexes.ts), so spaces of
 * different dimensions live in one table and each is searched through its own index.
 */
import type pg from 'pg';
import { LookbookError } from '../../errors.ts';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;

      CREATE TABLE items (
        id text PRIMARY KEY,
        image_path text,
        content_hash text,
        title text,
        category text,
        colour text,
        gender text,
        price double precision,
        meta jsonb NOT NULL DEFAULT '{}',
        updated_at bigint NOT NULL
      );
      CREATE INDEX items_category ON items (lower(category));
      CREATE INDEX items_colour ON items (lower(colour));
      CREATE INDEX items_gender ON items (lower(gender));
      CREATE INDEX items_price ON items (price);
      CREATE INDEX items_hash ON items (content_hash);

      CREATE TABLE vector_spaces (
        space text PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('features', 'item_vectors')),
        dim integer NOT NULL CHECK (dim > 0),
        index_name text
      );

      CREATE TABLE features (
        content_hash text NOT NULL,
        backbone text NOT NULL,
        dim integer NOT NULL,
        vector vector NOT NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        updated_at bigint NOT NULL,
        PRIMARY KEY (content_hash, backbone)
      );
      CREATE INDEX features_backbone ON features (backbone);

      CREATE TABLE item_vectors (
        space text NOT NULL,
        item_id text NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        dim integer NOT NULL,
        vector vector NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (space, item_id)
      );
      CREATE INDEX item_vectors_item ON item_vectors (item_id);

      CREATE TABLE outfits (
        id text PRIMARY KEY,
        meta jsonb NOT NULL DEFAULT '{}'
      );
      CREATE TABLE outfit_items (
        outfit_id text NOT NULL REFERENCES outfits(id) ON DELETE CASCADE,
        position integer NOT NULL,
        item_id text NOT NULL,
        PRIMARY KEY (outfit_id, position)
      );
      CREATE INDEX outfit_items_item ON outfit_items (item_id);

      CREATE TABLE events (
        seq bigserial PRIMARY KEY,
        user_id text NOT NULL,
        item_id text NOT NULL,
        kind text NOT NULL,
        value double precision,
        ts bigint NOT NULL,
        UNIQUE (user_id, item_id, kind, ts)
      );
      CREATE INDEX events_user_ts ON events (user_id, ts);
      CREATE INDEX events_ts ON events (ts);

      CREATE TABLE models (
        name text NOT NULL,
        version integer NOT NULL,
        kind text NOT NULL,
        created_at bigint NOT NULL,
        path text NOT NULL,
        metrics jsonb NOT NULL DEFAULT '{}',
        meta jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (name, version)
      );

      CREATE TABLE state (
        key text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'ingest jobs',
    sql: `
      CREATE TABLE ingest_jobs (
        backbone text NOT NULL,
        content_hash text NOT NULL,
        path text NOT NULL,
        items jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done', 'failed')),
        claimed_by text,
        lease_until timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        seq bigserial,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (backbone, content_hash)
      );
      CREATE INDEX ingest_jobs_open ON ingest_jobs (backbone, status, seq) WHERE status IN ('pending', 'claimed');
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1].version;
const LOCK_KEY = 7_316_201; // pg_advisory_xact_lock key for migrations

/** Applies pending migrations, each in its own transaction. Returns the resulting version. */
export async function migratePg(pool: pg.Pool, migrations: PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        const current = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
        if (current > latest) {
          throw new LookbookError(
            'LB_ERR_STORE_SCHEMA',
            `the database schema is version ${current}, this version of Lookbook knows up to ${latest}: upgrade Lookbook`,
            { details: { database: current, code: latest } },
          );
        }
        const next = migrations.find((m) => m.version > current);
        if (!next) {
          await client.query('COMMIT');
          return latest;
        }
        await client.query(next.sql);
        await client.query('INSERT INTO schema_migrations(version, name) VALUES ($1, $2)', [next.version, next.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  } finally {
    client.release();
  }
}
