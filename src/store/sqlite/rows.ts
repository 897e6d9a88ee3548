/** Row ↔ domain conversions for the SQLite store. Vectors are stored as little-endian f32 BLOBs. */
import type { FeatureRecord, ImageAttributes, InteractionEvent, Item, ModelRecord } from '../../types.ts';

export interface ItemRow {
  id: string;
  image_path: string | null;
  content_hash: string | null;
  title: string | null;
  category: string | null;
  colour: string | null;
  gender: string | null;
  price: number | null;
  meta: string;
  updated_at: number;
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
    price: r.price,
    meta: JSON.parse(r.meta) as Record<string, string>,
    updatedAt: r.updated_at,
  };
}

/** Copies a Float32Array into a Buffer (for a BLOB parameter). */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/**
 * A BLOB as a Float32Array. better-sqlite3 gives every BLOB its own ArrayBuffer: that one is used in
 * place (no copy); a Buffer that shares or misaligns its memory is copied into a new array.
 */
export function blobToVector(b: Buffer): Float32Array {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.byteLength && b.byteLength % 4 === 0) return new Float32Array(b.buffer);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export interface FeatureRow {
  content_hash: string;
  backbone: string;
  vector: Buffer;
  attributes: string;
}

export function featureFromRow(r: FeatureRow): FeatureRecord {
  return {
    contentHash: r.content_hash,
    backbone: r.backbone,
    vector: blobToVector(r.vector),
    attributes: JSON.parse(r.attributes) as ImageAttributes,
  };
}

export interface EventRow {
  user_id: string;
  item_id: string;
  kind: string;
  value: number | null;
  ts: number;
}

export function eventFromRow(r: EventRow): InteractionEvent {
  return { userId: r.user_id, itemId: r.item_id, kind: r.kind, value: r.value, timestamp: r.ts };
}

export interface ModelRow {
  name: string;
  version: number;
  kind: string;
  created_at: number;
  path: string;
  metrics: string;
  meta: string;
}

export function modelFromRow(r: ModelRow): ModelRecord {
  return {
    name: r.name,
    kind: r.kind,
    version: r.version,
    createdAt: r.created_at,
    path: r.path,
    metrics: JSON.parse(r.metrics) as Record<string, unknown>,
    meta: JSON.parse(r.meta) as Record<string, unknown>,
  };
}
