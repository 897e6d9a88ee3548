/**
 * Data helpers for the compatibility model: seeded randomness, the item table the model trains on,
 * category pools for negative sampling, and the input featurisation (CNN embedding + colour histogram).
 */
import type { FeatureRecord, Outfit } from '../../types.ts';
import { LookbookError } from '../../errors.ts';

export { mulberry32 as makeRng, shuffle as shuffleInPlace } from '../../util/random.ts';

/** The catalogue as the model sees it: one input row per item (row i = ids[i]). */
export interface CompatItems {
  ids: string[];
  /** Item type (slot) per row; null when unknown. */
  categories: (string | null)[];
  dim: number;
  vectors: Float32Array;
}

/** Fast lookups over a CompatItems table. */
export class ItemTable {
  readonly index = new Map<string, number>();
  /** category → row indices */
  readonly pools = new Map<string, number[]>();
  constructor(readonly items: CompatItems) {
    if (items.vectors.length !== items.ids.length * items.dim) {
      throw new LookbookError('LB_ERR_DIMENSION', `expected ${items.ids.length}×${items.dim} values, got ${items.vectors.length}`);
    }
    items.ids.forEach((id, i) => {
      this.index.set(id, i);
      const c = items.categories[i];
      if (c == null) return;
      let p = this.pools.get(c);
      if (!p) this.pools.set(c, (p = []));
      p.push(i);
    });
  }
  row(i: number): Float32Array {
    return this.items.vectors.subarray(i * this.items.dim, (i + 1) * this.items.dim);
  }
  category(i: number): string | null {
    return this.items.categories[i];
  }
  /** Outfits as row indices, keeping only known items. */
  rowsOf(outfit: Outfit): number[] {
    const out: number[] = [];
    for (const id of outfit.itemIds) {
      const i = this.index.get(id);
      if (i !== undefined) out.push(i);
    }
    return out;
  }
  /** k distinct random rows of `category` not in `exclude`; fewer when the pool is too small. */
  sampleSameCategory(category: string | null, k: number, exclude: Set<number>, rng: () => number): number[] {
    const pool = category == null ? undefined : this.pools.get(category);
    if (!pool) return [];
    const out: number[] = [];
    const seen = new Set<number>();
    const available = pool.length - pool.filter((p) => exclude.has(p)).length;
    const want = Math.min(k, available);
    let guard = 0;
    while (out.length < want && guard++ < 100 * (want + 1)) {
      const r = pool[Math.floor(rng() * pool.length)];
      if (exclude.has(r) || seen.has(r)) continue;
      seen.add(r);
      out.push(r);
    }
    return out;
  }
}

/**
 * Model input for one item: the L2-normalised CNN vector followed by the square-rooted colour
 * histogram (Hellinger map), L2-normalised and scaled by `histogramWeight`.
 */
export function featureInput(vector: Float32Array, histogram: number[] | undefined, histLen: number, histogramWeight: number): Float32Array {
  const out = new Float32Array(vector.length + histLen);
  out.set(vector, 0);
  if (histLen > 0 && histogram && histogram.length > 0) {
    if (histogram.length !== histLen) {
      throw new LookbookError('LB_ERR_DIMENSION', `colour histogram has ${histogram.length} bins, the model expects ${histLen}`);
    }
    let norm = 0;
    for (let i = 0; i < histLen; i++) norm += Math.max(0, histogram[i]);
    norm = Math.sqrt(norm) || 1; // ||sqrt(h)||_2 = sqrt(sum h)
    for (let i = 0; i < histLen; i++) out[vector.length + i] = (Math.sqrt(Math.max(0, histogram[i])) / norm) * histogramWeight;
  }
  return out;
}

/** Builds the model's item table from stored features (items without features are left out). */
export function itemsFromFeatures(
  ids: string[],
  categoryOf: (id: string) => string | null,
  features: Map<string, FeatureRecord>,
  histogramWeight: number,
): { items: CompatItems; histLen: number; vectorDim: number } {
  const kept = ids.filter((id) => features.has(id));
  if (kept.length === 0) throw new LookbookError('LB_ERR_NO_FEATURES', 'no item has CNN features for this backbone');
  const first = features.get(kept[0])!;
  const vectorDim = first.vector.length;
  const histLen = first.attributes?.histogram?.length ?? 0;
  const dim = vectorDim + histLen;
  const vectors = new Float32Array(kept.length * dim);
  kept.forEach((id, i) => {
    const f = features.get(id)!;
    if (f.vector.length !== vectorDim) throw new LookbookError('LB_ERR_DIMENSION', `item ${id}: vector dimension ${f.vector.length} ≠ ${vectorDim}`, { subject: id });
    const h = f.attributes?.histogram;
    vectors.set(featureInput(f.vector, h && h.length === histLen ? h : undefined, histLen, histogramWeight), i * dim);
  });
  return { items: { ids: kept, categories: kept.map(categoryOf), dim, vectors }, histLen, vectorDim };
}
