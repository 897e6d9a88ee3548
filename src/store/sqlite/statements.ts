/**
 * Prepared-statement cache for the SQLite store. better-sqlite3 compiles the SQL on every
 * `db.prepare`, which costs ~10 µs: hot read paths (similar items, item lookups) reuse compiled
 * statements instead. Bounded: dynamic SQL (filters) cannot grow it without limit.
 */
import type Database from 'better-sqlite3';

const MAX_STATEMENTS = 256;

export class StatementCache {
  readonly #db: Database.Database;
  readonly #cache = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** A compiled statement for `sql` (`pluck`: return the first column only; kept per mode). */
  get(sql: string, opts: { pluck?: boolean } = {}): Database.Statement {
    const key = opts.pluck ? `p\u0000${sql}` : sql;
    let s = this.#cache.get(key);
    if (!s) {
      if (this.#cache.size >= MAX_STATEMENTS) this.#cache.clear();
      s = this.#db.prepare(sql);
      if (opts.pluck) s.pluck();
      this.#cache.set(key, s);
    }
    return s;
  }

  clear(): void {
    this.#cache.clear();
  }
}
