/**
 * Reading training material from a Store: items with CNN features for a backbone, as one dense matrix,
 * with their colour histograms and metadata. Loads feature records in chunks to bound memory.
 */
import type { Store } from '../../store/store.ts';
import type { ImageAttributes, Item } from '../../types.ts';

export interface FeatureSet {
  /** Items that have features, in row order. */
  items: Item[];
  ids: string[];
  dim: number;
  /** Row-major items.length × dim L2-normalised embeddings. */
  vectors: Float32Array;
  attributes: (ImageAttributes | undefined)[];
  /** Items without features for the backbone (skipped). */
  withoutFeatures: number;
}

/** Loads every item (or the given ids) that has features for the backbone. */
export async function loadFeatureSet(store: Store, backbone: string, opts: { itemIds?: string[]; chunk?: number } = {}): Promise<FeatureSet> {
  const items = opts.itemIds ? await store.getItems(opts.itemIds) : await listAll(store);
  const chunk = opts.chunk ?? 2000;
  const kept: Item[] = [];
  const parts: Float32Array[] = [];
  const attributes: (ImageAttributes | undefined)[] = [];
  let dim = 0;
  for (let s = 0; s < items.length; s += chunk) {
    const slice = items.slice(s, s + chunk);
    const feats = await store.itemFeatures(slice.map((i) => i.id), backbone);
    for (const it of slice) {
      const f = feats.get(it.id);
      if (!f) continue;
      if (dim === 0) dim = f.vector.length;
      if (f.vector.length !== dim) continue;
      kept.push(it);
      parts.push(f.vector);
      attributes.push(f.attributes);
    }
  }
  const vectors = new Float32Array(kept.length * dim);
  parts.forEach((v, i) => vectors.set(v, i * dim));
  return { items: kept, ids: kept.map((i) => i.id), dim, vectors, attributes, withoutFeatures: items.length - kept.length };
}

async function listAll(store: Store): Promise<Item[]> {
  const out: Item[] = [];
  const page = 5000;
  for (let offset = 0; ; offset += page) {
    const batch = await store.listItems({ limit: page, offset });
    out.push(...batch);
    if (batch.length < page) break;
  }
  return out;
}

/** Histogram length found in the set (0 when no item has one). */
export function histogramLength(set: FeatureSet): number {
  for (const a of set.attributes) if (a?.histogram?.length) return a.histogram.length;
  return 0;
}
