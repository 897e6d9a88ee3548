/**
 * SQL helpers for the PostgreSQL store: ItemFilter → WHERE clause with $n parameters, pgvector's binary
 * wire format (sent and received as Buffers, 4 + 4·dim bytes, no text parsing), literals, error mapping.
 */
import { LookbookError, isLookbookError } from '../../errors.ts';
import type { ItemFilter } from '../../types.ts';
import { checkFilter } from '../sqlite/filter-sql.ts';

/** Accumulates bound parameters; `add` returns the placeholder. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const lowerList = (v: string | string[]) => (Array.isArray(v) ? v : [v]).map((s) => s.toLowerCase());

/**
 * ItemFilter → SQL over the items table aliased `i`. Text equality is case-insensitive (lower() on both
 * sides; the typed columns have lower() indexes). Meta keys match `meta->>'key'`.
 */
export function filterToPg(filter: ItemFilter | undefined, p: Params): string {
  checkFilter(filter);
  const parts: string[] = [];
  if (filter) {
    for (const key of ['category', 'gender', 'colour'] as const) {
      const v = filter[key];
      if (v === undefined) continue;
      const list = lowerList(v);
      parts.push(list.length === 1 ? `lower(i.${key}) = ${p.add(list[0])}` : `lower(i.${key}) = ANY(${p.add(list)}::text[])`);
    }
    if (filter.price?.min !== undefined) parts.push(`i.price >= ${p.add(filter.price.min)}`);
    if (filter.price?.max !== undefined) parts.push(`i.price <= ${p.add(filter.price.max)}`);
    for (const [k, v] of Object.entries(filter.meta ?? {})) {
      parts.push(`lower(i.meta->>${p.add(k)}) = ${p.add(v.toLowerCase())}`);
    }
    if (filter.excludeIds?.length) parts.push(`NOT (i.id = ANY(${p.add(filter.excludeIds)}::text[]))`);
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

export function isEmptyPgFilter(filter: ItemFilter | undefined): boolean {
  return filterToPg(filter, new Params()) === 'TRUE';
}

/** pgvector binary format: int16 dim, int16 unused, dim × float4, big-endian. */
export function vectorToPg(v: Float32Array): Buffer {
  const b = Buffer.allocUnsafe(4 + 4 * v.length);
  b.writeUInt16BE(v.length, 0);
  b.writeUInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) b.writeFloatBE(v[i], 4 + 4 * i);
  return b;
}

/** Decodes pgvector's send format, given as a Buffer or as base64 text (encode(vector_send(v), 'base64')). */
export function vectorFromPg(b: Buffer | string): Float32Array {
  const buf = typeof b === 'string' ? Buffer.from(b, 'base64') : b;
  const dim = buf.readUInt16BE(0);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = buf.readFloatBE(4 + 4 * i);
  return out;
}

/** Copies a pgvector binary value into `out` at `offset` (no allocation). */
export function vectorIntoPg(b: Buffer, out: Float32Array, offset: number): number {
  const dim = b.readUInt16BE(0);
  for (let i = 0; i < dim; i++) out[offset + i] = b.readFloatBE(4 + 4 * i);
  return dim;
}

/** A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function literal(s: string): string {
  if (s.includes('\0')) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'names may not contain NUL');
  return `'${s.replace(/'/g, "''")}'`;
}

/** Turns a pg error into a LookbookError (LookbookErrors pass through). */
export function wrapPg(e: unknown, what: string): LookbookError {
  if (isLookbookError(e)) return e;
  const code = (e as { code?: string })?.code ?? '';
  const msg = (e as Error)?.message ?? String(e);
  if (code === '23503') return new LookbookError('LB_ERR_NOT_FOUND', `${what}: an item it refers to does not exist`, { cause: e });
  if (code === '40001' || code === '40P01' || code === '55P03') {
    return new LookbookError('LB_ERR_CONFLICT', `${what}: concurrent update, retry (${msg})`, { cause: e, details: { pg: code } });
  }
  if (code === '22000' && /dimensions/.test(msg)) return new LookbookError('LB_ERR_DIMENSION', `${what}: ${msg}`, { cause: e });
  return new LookbookError('LB_ERR_STORE', `${what}: ${msg}`, { cause: e, details: code ? { pg: code } : undefined });
}
