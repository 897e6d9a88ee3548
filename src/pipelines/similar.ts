/**
 * "More like this": nearest catalogue items to an item or an uploaded image, with metadata filters,
 * the query item and exact duplicates (same image bytes) left out, and a short reason per result.
 */
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import { extractAttributes, sharedColourNames } from '../attributes/index.ts';
// Registers learned similarity spaces with resolveSpace (side effect).
import '../models/metric-space/from-store.ts';
import type { ColourShare, ImageAttributes, Item, ItemFilter } from '../types.ts';
import { resolveSpace, type ResolvedSpace } from './spaces.ts';

export interface SimilarQuery {
  itemId?: string;
  /** Image file path or bytes (an uploaded photo). */
  image?: string | Buffer;
  /** An image already embedded with embedQueryImage (so a caller that also needs its style embeds once). */
  embedded?: EmbeddedImage;
}

/** A query image after the CNN: its vector, readable attributes and content hash. */
export interface EmbeddedImage {
  vector: Float32Array;
  attributes: ImageAttributes;
  contentHash: string;
}

/** Runs the CNN and the attribute extractors on a query image (file path or bytes). */
export async function embedQueryImage(ctx: LookbookContext, image: string | Buffer, maxPixels = ctx.config.maxPixels): Promise<EmbeddedImage> {
  const embedder = await ctx.embedder();
  const { prepared, vector } = await embedder.embedImage(image, { maxPixels });
  return { vector, attributes: extractAttributes(prepared.raster), contentHash: prepared.contentHash };
}

export interface SimilarOptions {
  k?: number;
  filter?: ItemFilter;
  /** 'auto' (learned space when trained, else raw CNN features), 'raw', or a learned space name. */
  space?: string;
  /** Brute-force search (the reference) instead of the ANN index. */
  exact?: boolean;
}

export interface SimilarResult {
  item: Item;
  score: number;
  reasons: string[];
  colours: ColourShare[];
}

export interface SimilarAnswer {
  query: { itemId?: string; contentHash?: string | null; category?: string | null; colours: ColourShare[] };
  space: string;
  results: SimilarResult[];
}

function explain(query: { category?: string | null; attrs?: ImageAttributes }, item: Item, attrs: ImageAttributes | undefined): string[] {
  const reasons: string[] = [];
  if (query.category && item.category && query.category.toLowerCase() === item.category.toLowerCase()) {
    reasons.push(`same category: ${item.category}`);
  }
  if (query.attrs && attrs) {
    const shared = sharedColourNames(query.attrs, attrs);
    if (shared.length) reasons.push(`shared colours: ${shared.join(', ')}`);
  }
  if (reasons.length === 0) reasons.push('similar shape and texture');
  return reasons;
}

export async function similarItems(ctx: LookbookContext, query: SimilarQuery, opts: SimilarOptions = {}): Promise<SimilarAnswer> {
  const k = opts.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be an integer in 1..1000, got ${k}`);
  const { store } = ctx;
  let rawVector: Float32Array;
  let contentHash: string | null = null;
  let queryAttrs: ImageAttributes | undefined;
  let queryItem: Item | undefined;

  if (query.itemId !== undefined) {
    queryItem = await store.getItem(query.itemId);
    if (!queryItem) throw new LookbookError('LB_ERR_NOT_FOUND', `no item with id "${query.itemId}"`, { subject: query.itemId });
    const f = queryItem.contentHash ? await store.getFeatures(queryItem.contentHash, ctx.backboneName) : undefined;
    if (!f) throw new LookbookError('LB_ERR_NO_FEATURES', `item "${query.itemId}" has no image features (its image failed or was never ingested)`, { subject: query.itemId });
    rawVector = f.vector;
    contentHash = queryItem.contentHash;
    queryAttrs = f.attributes;
  } else if (query.embedded !== undefined || query.image !== undefined) {
    const e = query.embedded ?? (await embedQueryImage(ctx, query.image!));
    rawVector = e.vector;
    contentHash = e.contentHash;
    queryAttrs = e.attributes;
  } else {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'give an item id or an image');
  }

  const space: ResolvedSpace = await resolveSpace(ctx, opts.space ?? 'auto');
  const qv = space.project ? space.project(rawVector) : rawVector;
  const exclude = new Set([...(opts.filter?.excludeIds ?? []), ...(query.itemId !== undefined ? [query.itemId] : [])]);
  const filter: ItemFilter = { ...opts.filter, excludeIds: [...exclude] };

  // Over-fetch so that exact duplicates (same bytes) can be dropped and still leave k results.
  const hits = await store.searchVectors(space.name, qv, k + 10, { filter, exact: opts.exact });
  const items = new Map((await store.getItems(hits.map((h) => h.id))).map((i) => [i.id, i]));
  const feats = await store.itemFeatures(hits.map((h) => h.id), ctx.backboneName);
  const results: SimilarResult[] = [];
  for (const h of hits) {
    const item = items.get(h.id);
    if (!item) continue;
    if (contentHash && item.contentHash === contentHash) continue; // exact duplicate of the query image
    const attrs = feats.get(h.id)?.attributes;
    results.push({
      item,
      score: h.score,
      reasons: explain({ category: queryItem?.category, attrs: queryAttrs }, item, attrs),
      colours: attrs?.colours ?? [],
    });
    if (results.length >= k) break;
  }
  return {
    query: { itemId: query.itemId, contentHash, category: queryItem?.category, colours: queryAttrs?.colours ?? [] },
    space: space.name,
    results,
  };
}
