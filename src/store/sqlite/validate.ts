/** SQLite error mapping for the SQLite store. */
import { LookbookError, isLookbookError } from '../../errors.ts';

/** Turns a better-sqlite3 error into a LookbookError (LookbookErrors pass through). */
export function wrapSqlite(e: unknown, what: string): LookbookError {
  if (isLookbookError(e)) return e;
  const code = (e as { code?: string })?.code ?? '';
  const msg = (e as Error)?.message ?? String(e);
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new LookbookError('LB_ERR_NOT_FOUND', `${what}: an item it refers to does not exist`, { cause: e });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new LookbookError('LB_ERR_CONFLICT', `${what}: the database is locked by another writer`, { cause: e });
  }
  return new LookbookError('LB_ERR_STORE', `${what}: ${msg}`, { cause: e, details: code ? { sqlite: code } : undefined });
}
