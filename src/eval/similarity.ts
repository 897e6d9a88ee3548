/**
 * Similarity evaluation: leave-one-out retrieval inside a labelled catalogue.
 * For each query item, the other items are ranked by cosine similarity; P@K and mAP@K count neighbours
 * with the same label. ANN recall@K is the overlap of the ANN top-K with the exact top-K.
 */
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import type { Item } from '../types.ts';
import { mulberry32, sampleIndices } from '../util/random.ts';
import { averagePrecisionFromFlags } from './metrics/ranking.ts';
import { topKDot } from '../index/exact/top-k.ts';

export interface SimilarityEvalOptions {
  /** Label column: a typed field (category, colour, gender) or a metadata column (e.g. articleType). */
  label: string;
  k?: number;
  /** How many query items (seeded sample); default 2000; 0 = all. */
  queries?: number;
  /** How many queries to compare ANN against exact (default 500). */
  recallQueries?: number;
  seed?: number;
  /** Vector space (backbone name or learned space); default the backbone. */
  space?: string;
  /** Only evaluate these item ids as queries and candidates (e.g. a held-out split). */
  itemIds?: string[];
}

export interface SimilarityEvalResult {
  protocol: string;
  label: string;
  space: string;
  items: number;
  queries: number;
  k: number;
  seed: number;
  precisionAtK: number;
  mapAtK: number;
  /** Expected P@K of a random ranking (label frequency weighted). */
  randomPrecision: number;
  annRecallAtK: number | null;
  annQueries: number;
  exactMsPerQuery: number;
  annMsPerQuery: number | null;
  seconds: number;
}

export function labelOf(item: Item, label: string): string | null {
  if (label === 'category') return item.category;
  if (label === 'colour' || label === 'color') return item.colour;
  if (label === 'gender') return item.gender;
  return item.meta[label] ?? null;
}

/** Top-k rows by dot product with row q among the allowed rows, q itself excluded (brute force). */
export function exactTopK(vectors: Float32Array, dim: number, q: number, k: number, allowed: ArrayLike<number>): number[] {
  const r = topKDot(vectors, dim, vectors.subarray(q * dim, (q + 1) * dim), k + 1, allowed);
  return Array.from(r.rows).filter((row) => row !== q).slice(0, k);
}

export async function evaluateSimilarity(ctx: LookbookContext, opts: SimilarityEvalOptions): Promise<SimilarityEvalResult> {
  const t0 = performance.now();
  const k = opts.k ?? 10;
  const seed = opts.seed ?? 42;
  const space = opts.space ?? ctx.backboneName;
  let { ids, dim, vectors } = await ctx.store.allItemVectors(ctx.backboneName);
  if (space !== ctx.backboneName) {
    const m = await ctx.store.getItemVectors(space, ids);
    if (m.size === 0) throw new LookbookError('LB_ERR_MODEL_MISSING', `no vectors stored for space "${space}"`);
    ids = ids.filter((id) => m.has(id));
    dim = m.get(ids[0]!)!.length;
    vectors = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => vectors.set(m.get(id)!, i * dim));
  }
  if (opts.itemIds) {
    const keep = new Set(opts.itemIds);
    const idx = ids.map((id, i) => (keep.has(id) ? i : -1)).filter((i) => i >= 0);
    const v = new Float32Array(idx.length * dim);
    idx.forEach((src, j) => v.set(vectors.subarray(src * dim, (src + 1) * dim), j * dim));
    ids = idx.map((i) => ids[i]!);
    vectors = v;
  }
  const items = new Map((await ctx.store.getItems(ids)).map((i) => [i.id, i]));
  const labels = ids.map((id) => {
    const it = items.get(id);
    return it ? labelOf(it, opts.label) : null;
  });
  const labelled = labels.filter((l) => l !== null).length;
  if (labelled < 2) {
    const sample = items.values().next().value as Item | undefined;
    throw new LookbookError('LB_ERR_LABEL_COLUMN', `label "${opts.label}" has fewer than 2 labelled items with features`, {
      details: { available: sample ? ['category', 'colour', 'gender', ...Object.keys(sample.meta)] : [] },
    });
  }
  const counts = new Map<string, number>();
  for (const l of labels) if (l !== null) counts.set(l, (counts.get(l) ?? 0) + 1);
  // Candidates are labelled items only (an unlabelled neighbour can't be judged).
  const candidates = labels.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
  const rand = mulberry32(seed);
  const queryIdx = opts.queries === 0 ? candidates : sampleIndices(candidates, opts.queries ?? 2000, rand);

  let pSum = 0;
  let apSum = 0;
  const tExact = performance.now();
  for (const q of queryIdx) {
    const top = exactTopK(vectors, dim, q, k, candidates);
    const rel = top.map((i) => labels[i] === labels[q]);
    pSum += rel.filter(Boolean).length / k;
    apSum += averagePrecisionFromFlags(rel, k, counts.get(labels[q]!)! - 1);
  }
  const exactMs = (performance.now() - tExact) / queryIdx.length;
  let randomPrecision = 0;
  for (const c of counts.values()) randomPrecision += (c / labelled) * ((c - 1) / (labelled - 1));

  // ANN recall against exact search through the store (the index that serves queries).
  let annRecall: number | null = null;
  let annMs: number | null = null;
  const recallQ = sampleIndices(candidates, opts.recallQueries ?? 500, mulberry32(seed + 1));
  if (!opts.itemIds && recallQ.length) {
    let overlap = 0;
    let annTime = 0;
    for (const q of recallQ) {
      const qv = vectors.subarray(q * dim, (q + 1) * dim);
      const ex = await ctx.store.searchVectors(space, qv, k + 1, { exact: true });
      const t = performance.now();
      const an = await ctx.store.searchVectors(space, qv, k + 1);
      annTime += performance.now() - t;
      const exIds = new Set(ex.map((h) => h.id));
      overlap += an.filter((h) => exIds.has(h.id)).length / ex.length;
    }
    annRecall = overlap / recallQ.length;
    annMs = annTime / recallQ.length;
  }
  return {
    protocol: `leave-one-out retrieval: each query ranks all other labelled items by cosine; relevant = same ${opts.label}`,
    label: opts.label,
    space,
    items: labelled,
    queries: queryIdx.length,
    k,
    seed,
    precisionAtK: pSum / queryIdx.length,
    mapAtK: apSum / queryIdx.length,
    randomPrecision,
    annRecallAtK: annRecall,
    annQueries: opts.itemIds ? 0 : recallQ.length,
    exactMsPerQuery: exactMs,
    annMsPerQuery: annMs,
    seconds: (performance.now() - t0) / 1000,
  };
}
