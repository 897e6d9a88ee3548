/** Input checks shared by every Store implementation (run before any SQL). */
import { LookbookError } from '../errors.ts';
import type { Item } from '../types.ts';

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

/** Arguments of putItemVectors: a space name, a positive dimension and ids.length × dim finite values. */
export function checkItemVectors(space: string, ids: string[], vectors: Float32Array, dim: number): void {
  if (!space) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'space name is required');
  if (!Number.isInteger(dim) || dim <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `dim must be a positive integer, got ${dim}`);
  if (!(vectors instanceof Float32Array) || vectors.length !== ids.length * dim) {
    throw new LookbookError('LB_ERR_DIMENSION', `${ids.length} ids × dim ${dim} ≠ ${vectors?.length} values`);
  }
  checkVectorRecord(vectors, space);
}
