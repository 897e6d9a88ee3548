/**
 * Versioned schema migrations for the SQLite store. Append a migration to add a change; never
 * edit one that has shipped. A database whose newest applied version is above the code's is refused.
 */
import type Database from 'better-sqlite3';
import { LookbookError } from '../../errors.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE items (
        id TEXT PRIMARY KEY,
        image_path TEXT,
        content_hash TEXT,
        title TEXT,
        category TEXT COLLATE NOCASE,
        colour TEXT COLLATE NOCASE,
        gender TEXT COLLATE NOCASE,
        price REAL,
        meta TEXT NOT NULL DEFAULT '{}',
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX items_category ON items(category);
      CREATE INDEX items_colour ON items(colour);
      CREATE INDEX items_gender ON items(gender);
      CREATE INDEX items_price ON items(price);
      CREATE INDEX items_hash ON items(content_hash);

      CREATE TABLE features (
        content_hash TEXT NOT NULL,
        backbone TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        attributes TEXT NOT NULL DEFAULT '{}',
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (content_hash, backbone)
      );
      CREATE INDEX features_backbone ON features(backbone);

      CREATE TABLE item_vectors (
        space TEXT NOT NULL,
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (space, item_id)
      );
      CREATE INDEX item_vectors_item ON item_vectors(item_id);

      CREATE TABLE outfits (
        id TEXT PRIMARY KEY,
        meta TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE outfit_items (
        outfit_id TEXT NOT NULL REFERENCES outfits(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        PRIMARY KEY (outfit_id, position)
      );
      CREATE INDEX outfit_items_item ON outfit_items(item_id);

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        value REAL,
        ts INTEGER NOT NULL,
        UNIQUE (user_id, item_id, kind, ts)
      );
      CREATE INDEX events_user_ts ON events(user_id, ts);
      CREATE INDEX events_ts ON events(ts);

      CREATE TABLE models (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        path TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        meta TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (name, version)
      );

      CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Applies pending migrations (each in its own transaction). Returns the resulting version. */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const versionNow = db.prepare('SELECT MAX(version) AS v FROM schema_migrations');
  const current = (versionNow.get() as { v: number | null }).v ?? 0;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new LookbookError(
      'LB_ERR_STORE_SCHEMA',
      `the database schema is version ${current}, this version of Lookbook knows up to ${latest}: upgrade Lookbook`,
      { details: { database: current, code: latest } },
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Another process may have applied it since we looked.
      if (((versionNow.get() as { v: number | null }).v ?? 0) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
  }
  return latest;
}
