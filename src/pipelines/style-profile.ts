/**
 * A user's style profile from the items they liked: distribution of predicted style classes, dominant
 * colour names, categories, and a mean embedding usable as a query vector (raw backbone space, and the
 * learned similarity space when one is stored for the items).
 */
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import { CategoricalHead } from '../models/classifier/classifier.ts';
import { buildInputs } from '../models/classifier/features.ts';
import { loadStyleHead, storedPredictions } from './style.ts';

export interface Share {
  name: string;
  share: number;
}

export interface StyleProfile {
  column: string;
  /** Liked items found with features. */
  used: string[];
  /** Liked ids unknown or without features. */
  missing: string[];
  /** Mean predicted probability per style class (empty when no style model exists). */
  styles: Share[];
  /** Colour names weighted by their pixel share in each item (falls back to the item's colour column). */
  colours: Share[];
  categories: Share[];
  /** L2-normalised mean of the items' backbone embeddings (null when no item has features). */
  meanVector: Float32Array | null;
  /** Same in a learned similarity space, when requested and stored. */
  spaceVector?: { space: string; vector: Float32Array };
}

function shares(counts: Map<string, number>, limit: number): Share[] {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  return [...counts.entries()]
    .map(([name, n]) => ({ name, share: n / total }))
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name))
    .slice(0, limit);
}

function meanNormalised(vectors: Float32Array[]): Float32Array | null {
  if (vectors.length === 0) return null;
  const m = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let j = 0; j < m.length; j++) m[j]! += v[j]!;
  const norm = Math.hypot(...m);
  if (norm > 0) for (let j = 0; j < m.length; j++) m[j]! /= norm;
  return m;
}

export async function buildStyleProfile(
  ctx: LookbookContext,
  likedIds: string[],
  opts: { column?: string; space?: string; limit?: number } = {},
): Promise<StyleProfile> {
  if (likedIds.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a style profile needs at least one liked item');
  const column = opts.column ?? 'usage';
  const limit = opts.limit ?? 10;
  const ids = [...new Set(likedIds)];
  const items = new Map((await ctx.store.getItems(ids)).map((i) => [i.id, i]));
  const feats = await ctx.store.itemFeatures(ids, ctx.backboneName);
  const used = ids.filter((id) => items.has(id) && feats.has(id));
  const missing = ids.filter((id) => !used.includes(id));

  const colours = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const id of ids) {
    const item = items.get(id);
    if (!item) continue;
    if (item.category) categories.set(item.category, (categories.get(item.category) ?? 0) + 1);
    const attrs = feats.get(id)?.attributes;
    if (attrs?.colours.length) for (const c of attrs.colours) colours.set(c.name, (colours.get(c.name) ?? 0) + c.share);
    else if (item.colour) colours.set(item.colour, (colours.get(item.colour) ?? 0) + 1);
  }

  // Style distribution: stored bulk predictions when present, else predict now with the head.
  let styles: Share[] = [];
  const stored = await storedPredictions(ctx, column, used);
  const acc = new Map<string, number>();
  const toPredict = used.filter((id) => !stored?.probs.has(id));
  if (stored) for (const p of stored.probs.values()) stored.classes.forEach((k, j) => acc.set(k, (acc.get(k) ?? 0) + p[j]!));
  if (toPredict.length > 0) {
    let head: CategoricalHead | undefined;
    try {
      head = (await loadStyleHead(ctx, column)).head;
    } catch (e) {
      if (!(e instanceof LookbookError && e.code === 'LB_ERR_MODEL_MISSING')) throw e;
    }
    if (head) {
      const spec = head.meta.featureSpec;
      const vecs = new Float32Array(toPredict.length * spec.embeddingDim);
      toPredict.forEach((id, i) => vecs.set(feats.get(id)!.vector, i * spec.embeddingDim));
      const x = buildInputs(spec, toPredict.length, spec.useEmbedding ? vecs : undefined, toPredict.map((id) => feats.get(id)!.attributes.histogram)).x;
      const p = await head.predict(x);
      const c = head.classes.length;
      for (let i = 0; i < toPredict.length; i++) head.classes.forEach((k, j) => acc.set(k, (acc.get(k) ?? 0) + p[i * c + j]!));
    }
  }
  styles = shares(acc, limit);

  const profile: StyleProfile = {
    column,
    used,
    missing,
    styles,
    colours: shares(colours, limit),
    categories: shares(categories, limit),
    meanVector: meanNormalised(used.map((id) => feats.get(id)!.vector)),
  };
  if (opts.space) {
    const vs = await ctx.store.getItemVectors(opts.space, used);
    const v = meanNormalised([...vs.values()]);
    if (v) profile.spaceVector = { space: opts.space, vector: v };
  }
  return profile;
}
