/**
 * Store factory: `openStore({ dataDir })` or `openStore({ url })`.
 * URLs: `sqlite:<dataDir>` / `sqlite://<dataDir>` (a data directory, relative or absolute);
 * `postgres://…` / `postgresql://…` (the PostgreSQL + pgvector store, src/store/postgres/).
 */
import { LookbookError } from '../errors.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export type { Store } from './store.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';

export type OpenStoreOptions = ({ dataDir: string } | { url: string }) & Omit<SqliteStoreOptions, 'dataDir'>;

/** Parses a `sqlite:` URL into a data directory. */
export function sqliteUrlToDataDir(url: string): string {
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  try {
    rest = decodeURIComponent(rest);
  } catch {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `invalid store URL ${url}`);
  }
  if (!rest) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `store URL ${url} names no data directory`);
  return rest;
}

/** Lookbook's own query parameters of a postgres:// URL, removed before the URL reaches the driver. */
const PG_TUNING = { ef_search: 'efSearch', hnsw_m: 'm', ef_construction: 'efConstruction', pool: 'maxConnections' } as const;

/**
 * Splits `postgres://…?ef_search=800&ef_construction=128&hnsw_m=24&pool=8` into the driver URL and the store's
 * options (positive integers; anything else is LB_ERR_INVALID_ARGUMENT). Other parameters (sslmode …) stay in the URL.
 */
export function pgUrlOptions(url: string): { url: string; efSearch?: number; m?: number; efConstruction?: number; maxConnections?: number } {
  const q = url.indexOf('?');
  if (q < 0) return { url };
  const params = new URLSearchParams(url.slice(q + 1));
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(PG_TUNING)) {
    const v = params.get(name);
    if (v === null) continue;
    if (!/^[1-9][0-9]{0,5}$/.test(v)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `store URL parameter ${name} must be a positive integer, got ${JSON.stringify(v)}`);
    out[key] = Number(v);
    params.delete(name);
  }
  const rest = params.toString();
  return { url: url.slice(0, q) + (rest ? `?${rest}` : ''), ...out };
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if ('url' in opts && typeof opts.url === 'string') {
    const { url, ...rest } = opts;
    const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
    if (scheme === 'sqlite:') return new SqliteStore({ ...rest, dataDir: sqliteUrlToDataDir(url) });
    if (scheme === 'postgres:' || scheme === 'postgresql:') {
      const { PostgresStore } = await import('./postgres/postgres-store.ts'); // pg is loaded only when used
      return PostgresStore.open(pgUrlOptions(url));
    }
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unsupported store URL scheme ${JSON.stringify(scheme || url.slice(0, 12))} (use sqlite: or postgres:)`);
  }
  if ('dataDir' in opts && typeof opts.dataDir === 'string' && opts.dataDir) return new SqliteStore(opts);
  throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'openStore needs { dataDir } or { url }');
}
