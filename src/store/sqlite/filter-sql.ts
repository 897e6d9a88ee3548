/**
 * ItemFilter → SQL WHERE clause over the items table (aliased `i`), with bound parameters.
 * Lists are passed as one JSON parameter (json_each), so no parameter limit is hit.
 * Text equality is case-insensitive through the columns' NOCASE collation (ASCII case folding).
 */
import { LookbookError } from '../../errors.ts';
import type { ItemFilter } from '../../types.ts';

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

function asList(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

/** Validates a filter (shared by every store). */
export function checkFilter(filter: ItemFilter | undefined): void {
  if (!filter) return;
  for (const key of ['category', 'gender', 'colour'] as const) {
    const v = filter[key];
    if (v === undefined) continue;
    if (!asList(v).every((x) => typeof x === 'string')) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `filter.${key} must be a string or a list of strings`);
    }
  }
  const p = filter.price;
  if (p) {
    for (const b of [p.min, p.max]) {
      if (b !== undefined && !Number.isFinite(b)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'filter.price bounds must be finite numbers');
    }
  }
  for (const [k, v] of Object.entries(filter.meta ?? {})) {
    if (!k || /["\\]/.test(k)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `filter.meta key ${JSON.stringify(k)} is not allowed`);
    if (typeof v !== 'string') throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `filter.meta.${k} must be a string`);
  }
  if (filter.excludeIds && !Array.isArray(filter.excludeIds)) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'filter.excludeIds must be a list of ids');
  }
}

export function filterToSql(filter: ItemFilter | undefined): SqlWhere {
  checkFilter(filter);
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter) {
    for (const key of ['category', 'gender', 'colour'] as const) {
      const v = filter[key];
      if (v === undefined) continue;
      const list = asList(v);
      if (list.length === 1) {
        parts.push(`i.${key} = ?`);
        params.push(list[0]);
      } else {
        parts.push(`i.${key} IN (SELECT value FROM json_each(?))`);
        params.push(JSON.stringify(list));
      }
    }
    if (filter.price?.min !== undefined) {
      parts.push('i.price >= ?');
      params.push(filter.price.min);
    }
    if (filter.price?.max !== undefined) {
      parts.push('i.price <= ?');
      params.push(filter.price.max);
    }
    for (const [k, v] of Object.entries(filter.meta ?? {})) {
      parts.push(`json_extract(i.meta, ?) = ? COLLATE NOCASE`);
      params.push(`$."${k}"`, v);
    }
    if (filter.excludeIds?.length) {
      parts.push('i.id NOT IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.excludeIds));
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** True when the filter restricts nothing. */
export function isEmptyFilter(filter: ItemFilter | undefined): boolean {
  return filterToSql(filter).sql === '1';
}
