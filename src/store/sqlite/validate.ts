/** Input checks and SQLite error mapping for the SQLite store. */
import { LookbookError, isLookbookError } from '../../errors.ts';
import type { Item } from '../../types.ts';

export function checkItem(it: Item): void {
  if (!it || typeof it.id !== 'string' || it.id.length === 0) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an item needs a non-empty string id');
  }
  if (it.price !== null && it.price !== undefined && !Number.isFinite(it.price)) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `price must be a finite number or null`, { subject: it.id });
  }
  if (it.meta !== undefined && (typeof it.meta !== 'object' || it.meta === null || Array.isArray(it.meta))) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'meta must be an object of strings', { subject: it.id });
  }
}

export function checkVectorRecord(v: Float32Array, subject: string): void {
  if (!(v instanceof Float32Array) || v.length === 0) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a vector must be a non-empty Float32Array', { subject });
  }
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `vector component ${i} is not finite`, { subject });
  }
}

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
