/** Builds an ItemFilter from the flat filter fields the CLI flags and the HTTP query string share. */
import { LookbookError } from '../errors.ts';
import type { ItemFilter } from '../types.ts';

export interface FilterFields {
  category?: string[];
  gender?: string[];
  colour?: string[];
  minPrice?: number;
  maxPrice?: number;
  /** "field=value" pairs: metadata field equals value. */
  where?: string[];
}

/** True when the filter restricts by item fields (category, price, meta …), not only by excluding ids. */
export function restrictsItems(filter: ItemFilter | undefined): filter is ItemFilter {
  return filter !== undefined && Object.keys(filter).some((key) => key !== 'excludeIds');
}

/** `whereName` is how the caller spells the where option in messages (`--where` on the CLI, `where` over HTTP). */
export function itemFilterFrom(q: FilterFields, whereName = 'where'): ItemFilter {
  const f: ItemFilter = {};
  if (q.category?.length) f.category = q.category;
  if (q.gender?.length) f.gender = q.gender;
  if (q.colour?.length) f.colour = q.colour;
  if (q.minPrice !== undefined || q.maxPrice !== undefined) {
    if (q.minPrice !== undefined && q.maxPrice !== undefined && q.minPrice > q.maxPrice) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'minPrice is above maxPrice');
    }
    f.price = { min: q.minPrice, max: q.maxPrice };
  }
  if (q.where?.length) {
    f.meta = {};
    for (const w of q.where) {
      const i = w.indexOf('=');
      if (i <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `${whereName} expects field=value, got "${w}"`);
      f.meta[w.slice(0, i)] = w.slice(i + 1);
    }
  }
  return f;
}
