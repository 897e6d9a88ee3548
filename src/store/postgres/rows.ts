/** Row ↔ domain conversions and small helpers for the PostgreSQL store. */
import type { Item, ModelRecord } from '../../types.ts';

export interface ItemRow {
  id: string;
  image_path: string | null;
  content_hash: string | null;
  title: string | null;
  category: string | null;
  colour: string | null;
  gender: string | null;
  price: number | null;
  meta: Record<string, string>;
  updated_at: string;
}

export function itemFromRow(r: ItemRow): Item {
  return {
    id: r.id,
    imagePath: r.image_path,
    contentHash: r.content_hash,
    title: r.title,
    category: r.category,
    colour: r.colour,
    gender: r.gender,
    price: r.price === null ? null : Number(r.price),
    meta: r.meta ?? {},
    updatedAt: Number(r.updated_at),
  };
}

export function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function modelFromRow(r: Record<string, unknown>): ModelRecord {
  return {
    name: r.name as string,
    kind: r.kind as string,
    version: Number(r.version),
    createdAt: Number(r.created_at),
    path: r.path as string,
    metrics: (r.metrics ?? {}) as Record<string, unknown>,
    meta: (r.meta ?? {}) as Record<string, unknown>,
  };
}

/** A text column value as a string. */
export function textOf(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** A URL with its password hidden (for messages). */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
