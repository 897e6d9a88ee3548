/**
 * Recommendations for one user: a known user id (their learned vector plus any newer events in the
 * store), a new user described by a handful of liked items, or a style-profile vector. Seen items are
 * left out (configurable), metadata filters restrict the candidates, and every result carries
 * readable reasons ("looks like <title> you liked", "people who rented <title> also rented this",
 * "popular now"). CLI, HTTP and library all call this function.
 */
import { restrictsItems } from '../catalog/filter.ts';
import { LookbookError } from '../errors.ts';
import { eventWeight, resolveWeights, type EventWeights } from '../events/weights.ts';
import type { Explanation, Recommender, UserRef } from '../models/recommender.ts';
import type { Store } from '../store/store.ts';
import type { InteractionEvent, ItemFilter } from '../types.ts';

export interface RecommendContext {
  store: Store;
  /** The trained model answering (typically the hybrid). */
  model: Recommender;
  /** Backbone (vector space) for style-profile queries. */
  backbone?: string;
  weights?: Partial<EventWeights>;
}

export type UserQuery = string | { likedItemIds: string[] } | { styleVector: Float32Array };

export interface RecommendOptions {
  k?: number;
  removeSeen?: boolean;
  filter?: ItemFilter;
}

export interface Recommendation {
  itemId: string;
  score: number;
  reasons: string[];
}

const VERBS: Record<string, string> = { rent: 'rented', purchase: 'bought', like: 'liked', cart: 'saved', view: 'viewed', rating: 'rated', click: 'viewed' };

export async function recommendForUser(ctx: RecommendContext, user: UserQuery, opts: RecommendOptions = {}): Promise<Recommendation[]> {
  const { store, model } = ctx;
  const k = opts.k ?? 10;
  if (!(k > 0)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `k must be positive, got ${k}`);
  const removeSeen = opts.removeSeen ?? true;

  if (typeof user === 'object' && 'styleVector' in user) {
    if (!ctx.backbone) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a style-profile query needs a backbone');
    const hits = await store.searchVectors(ctx.backbone, user.styleVector, k, { filter: opts.filter });
    return hits.map((h) => ({ itemId: h.id, score: h.score, reasons: ['matches your style profile'] }));
  }

  const d = model.data;
  const seen = new Set<number>();
  const kindOf = new Map<number, string>();
  let ref: UserRef;
  if (typeof user === 'string') {
    const u = d.userIndex.get(user);
    const events: InteractionEvent[] = await store.listEvents({ userId: user });
    const w = resolveWeights(ctx.weights);
    const fresh = new Map<number, number>();
    for (const e of events) {
      const i = d.itemIndex.get(e.itemId);
      if (i === undefined) continue;
      seen.add(i);
      kindOf.set(i, e.kind);
      const wt = eventWeight(e, w);
      if (wt > 0) fresh.set(i, (fresh.get(i) ?? 0) + wt);
    }
    if (u !== undefined) {
      for (const i of d.userItems(u)) seen.add(i);
      ref = u;
    } else if (fresh.size > 0) {
      ref = { itemIdxs: [...fresh.keys()], weights: [...fresh.values()] };
    } else {
      throw new LookbookError('LB_ERR_NOT_FOUND', `unknown user "${user}": no training history and no recorded events on known items (give liked items, or record events and retrain)`, {
        subject: user,
      });
    }
  } else {
    if (user.likedItemIds.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'likedItemIds is empty');
    ref = model.profileOf(user.likedItemIds);
    if (ref.itemIdxs.length === 0) throw new LookbookError('LB_ERR_NOT_FOUND', 'none of the liked items is known to the model', { details: { likedItemIds: user.likedItemIds } });
    for (const i of ref.itemIdxs) {
      seen.add(i);
      kindOf.set(i, 'like');
    }
  }

  const exclude = removeSeen ? new Set(seen) : new Set<number>();
  for (const id of opts.filter?.excludeIds ?? []) {
    const i = d.itemIndex.get(id);
    if (i !== undefined) exclude.add(i);
  }
  let candidates: number[] | undefined;
  if (restrictsItems(opts.filter)) {
    const allowed = await allowedItemIds(store, opts.filter);
    candidates = [];
    for (const id of allowed) {
      const i = d.itemIndex.get(id);
      if (i !== undefined) candidates.push(i);
    }
  }
  const ranked = model.rank(ref, { k, itemIdxs: candidates, exclude });
  const explanations = ranked.map((r) => model.explain(ref, r.idx));
  const titleIds = [...new Set(explanations.flatMap((e) => (e?.itemIdx !== undefined ? [d.itemIds[e.itemIdx]!] : [])))];
  const titles = new Map((await store.getItems(titleIds)).map((it) => [it.id, it.title ?? it.id]));
  return ranked.map((r, n) => ({ itemId: d.itemIds[r.idx]!, score: r.score, reasons: reasonText(explanations[n], d.itemIds, titles, kindOf) }));
}

function reasonText(e: Explanation | undefined, itemIds: string[], titles: Map<string, string>, kindOf: Map<number, string>): string[] {
  if (!e) return ['recommended for you'];
  const id = e.itemIdx !== undefined ? itemIds[e.itemIdx]! : undefined;
  const title = id ? `"${titles.get(id) ?? id}"` : '';
  const verb = (e.itemIdx !== undefined && VERBS[kindOf.get(e.itemIdx) ?? '']) || 'liked';
  switch (e.kind) {
    case 'visual':
      return [`looks like ${title} you ${verb}`];
    case 'co-occurrence':
      return [`people who ${verb} ${title} also ${verb} this`];
    case 'factor':
      return [`because you ${verb} ${title}`];
    case 'popular':
      return ['popular now'];
  }
}

// --- allowed ids per filter --------------------------------------------------------------------
/** Stores may offer a light id-only listing (the lead may add it to the Store interface). */
type IdListing = { listItemIds?: (filter?: ItemFilter) => Promise<string[]> };
interface AllowedEntry {
  ids: string[];
  count: number;
  at: number;
}
const allowedCache = new WeakMap<Store, Map<string, AllowedEntry>>();
/** How long a cached allowed-id set is trusted without re-listing (its count is re-checked every call). */
const ALLOWED_TTL_MS = 60_000;

/**
 * Ids of the items passing a metadata filter, without materialising full items on every call:
 * `store.listItemIds` when the store has it; otherwise one `listItems` per filter, cached per store
 * and re-validated on each call by `countItems(filter)` (a COUNT query) plus a 60 s time limit.
 */
export async function allowedItemIds(store: Store, filter: ItemFilter): Promise<string[]> {
  const { excludeIds: _ignored, ...rest } = filter;
  const lister = (store as Store & IdListing).listItemIds;
  if (typeof lister === 'function') return lister.call(store, rest);
  let byFilter = allowedCache.get(store);
  if (!byFilter) allowedCache.set(store, (byFilter = new Map()));
  const key = stableJson(rest);
  const count = await store.countItems(rest);
  const hit = byFilter.get(key);
  if (hit && hit.count === count && Date.now() - hit.at < ALLOWED_TTL_MS) return hit.ids;
  const ids = (await store.listItems({ filter: rest })).map((it) => it.id);
  if (byFilter.size > 100) byFilter.clear();
  byFilter.set(key, { ids, count, at: Date.now() });
  return ids;
}

/** JSON with object keys sorted at every level (equal filters give equal keys). */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
