/**
 * Outfit use cases on top of the compatibility model and the store:
 *  - scoreOutfit:      0..1 score of a set of items + the weakest pair as explanation;
 *  - fillInTheBlank:   rank candidate items (given, or retrieved for a category) for a missing slot;
 *  - completeTheLook:  from seed items, propose N diverse full outfits over the categories a stylist
 *                      would add (learned type combinations of training outfits) or those asked for,
 *                      by beam search over per-category candidates retrieved from the store.
 */
import { LookbookError } from '../errors.ts';
import type { Item, ItemFilter } from '../types.ts';
import type { Store } from '../store/store.ts';
import { CompatibilityModel, type Embedded, type ModelItem } from '../models/compatibility/model.ts';
import { featureInput } from '../models/compatibility/data.ts';
import { compatibilitySpace, loadCompatibility } from '../models/compatibility/registry.ts';

export interface OutfitContext {
  store: Store;
  model: CompatibilityModel;
  /** Vector space used for candidate retrieval (default: the model's projected space). */
  space: string;
  /** Model inputs already loaded from the store, by item id (re-ingesting an item needs a new context). */
  cache?: Map<string, ModelItem>;
}

export async function openOutfitContext(store: Store, dataDir: string): Promise<OutfitContext> {
  const { model, record } = await loadCompatibility(store, dataDir);
  return { store, model, space: compatibilitySpace(record.version), cache: new Map() };
}

/** The item's type under the model's category column (meta column, falling back to the typed column). */
export function categoryOf(item: Item, column: string): string | null {
  if (column === 'category') return item.category;
  return item.meta?.[column] ?? item.category ?? null;
}

/** ItemFilter restricting to one type under the model's category column. */
export function categoryFilter(column: string, category: string, base: ItemFilter = {}): ItemFilter {
  return column === 'category' ? { ...base, category } : { ...base, meta: { ...(base.meta ?? {}), [column]: category } };
}

/** Loads items + features as model inputs; unknown ids → LB_ERR_NOT_FOUND, no features → LB_ERR_NO_FEATURES. */
export async function modelItems(ctx: OutfitContext, ids: string[]): Promise<ModelItem[]> {
  const cache = ctx.cache;
  if (cache && ids.every((id) => cache.has(id))) return ids.map((id) => cache.get(id)!);
  const out = await loadModelItems(ctx, ids);
  if (cache) for (const it of out) cache.set(it.id, it);
  return out;
}

async function loadModelItems(ctx: OutfitContext, ids: string[]): Promise<ModelItem[]> {
  const { store, model } = ctx;
  const { backbone, categoryColumn, histLen, histogramWeight, vectorDim } = model.meta;
  const items = new Map((await store.getItems(ids)).map((i) => [i.id, i]));
  const missing = ids.filter((id) => !items.has(id));
  if (missing.length) throw new LookbookError('LB_ERR_NOT_FOUND', `unknown item(s): ${missing.join(', ')}`, { subject: missing[0], details: { missing } });
  const feats = await store.itemFeatures(ids, backbone);
  return ids.map((id) => {
    const f = feats.get(id);
    if (!f) throw new LookbookError('LB_ERR_NO_FEATURES', `item ${id} has no ${backbone} features (ingest it first)`, { subject: id });
    if (f.vector.length !== vectorDim) throw new LookbookError('LB_ERR_DIMENSION', `item ${id}: ${f.vector.length}-d vector, the model expects ${vectorDim}`, { subject: id });
    const h = f.attributes?.histogram;
    return { id, category: categoryOf(items.get(id)!, categoryColumn), vector: featureInput(f.vector, h && h.length === histLen ? h : undefined, histLen, histogramWeight) };
  });
}

export interface OutfitScoreResult {
  itemIds: string[];
  score: number;
  raw: number;
  weakestPair: { a: string; b: string; score: number } | null;
  pairs: { a: string; b: string; score: number }[];
  reasons: string[];
}

export async function scoreOutfit(ctx: OutfitContext, itemIds: string[]): Promise<OutfitScoreResult> {
  const ids = [...new Set(itemIds)];
  if (ids.length < 2) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an outfit needs at least 2 distinct items');
  const items = await modelItems(ctx, ids);
  const s = ctx.model.scoreOutfit(items);
  const cat = new Map(items.map((i) => [i.id, i.category ?? '?']));
  const reasons = s.weakestPair
    ? [`weakest pair: ${s.weakestPair.a} (${cat.get(s.weakestPair.a)}) + ${s.weakestPair.b} (${cat.get(s.weakestPair.b)}), compatibility ${s.weakestPair.score.toFixed(3)} vs outfit mean ${s.raw.toFixed(3)}`]
    : [];
  return { itemIds: ids, ...s, reasons };
}

export interface RankedCandidate {
  id: string;
  category: string | null;
  /** Mean compatibility with the given items (higher is better). */
  score: number;
  /** Calibrated 0..1 score of the outfit completed with this candidate. */
  outfitScore: number;
  reason: string;
}

async function retrieve(ctx: OutfitContext, seed: Embedded, category: string, k: number, filter: ItemFilter, exclude: string[]): Promise<string[]> {
  const { dim, categoryColumn } = ctx.model.meta;
  const q = new Float32Array(dim);
  for (let r = 0; r < seed.b.length; r++) for (let d = 0; d < dim; d++) q[d] += seed.f[r * dim + d];
  const f = categoryFilter(categoryColumn, category, { ...filter, excludeIds: [...(filter.excludeIds ?? []), ...exclude] });
  const hits = await ctx.store.searchVectors(ctx.space, q, k, { filter: f });
  return hits.map((h) => h.id);
}

function rankAgainst(ctx: OutfitContext, seed: Embedded, seedItems: ModelItem[], cands: ModelItem[]): RankedCandidate[] {
  const m = ctx.model;
  const C = m.embedItems(cands);
  const seedSum = m.rawOutfit(seed, seedItems.map((_, i) => i)) * ((seedItems.length * (seedItems.length - 1)) / 2);
  const n = seedItems.length + 1;
  return cands
    .map((c, j) => {
      const per = seedItems.map((s, i) => ({ id: s.id, s: m.pair(seed, i, C, j) }));
      const total = per.reduce((a, x) => a + x.s, 0);
      const best = per.reduce((a, x) => (x.s > a.s ? x : a), per[0]);
      return {
        id: c.id, category: c.category, score: total / per.length,
        outfitScore: m.calibrate((seedSum + total) / ((n * (n - 1)) / 2)),
        reason: `best match with ${best.id} (${best.s.toFixed(3)}), mean ${(total / per.length).toFixed(3)} over ${per.length} item(s)`,
      };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * Ranks candidates for the blank in `itemIds`. Give `candidates`, or a `category` from which the
 * top `retrieve` items (honouring `filter`) are fetched from the store and re-scored.
 */
export async function fillInTheBlank(
  ctx: OutfitContext,
  opts: { itemIds: string[]; candidates?: string[]; category?: string; k?: number; filter?: ItemFilter; retrieve?: number },
): Promise<{ category: string | null; ranked: RankedCandidate[] }> {
  if (opts.itemIds.length < 1) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'fill-in-the-blank needs at least one item of the outfit');
  const seedItems = await modelItems(ctx, [...new Set(opts.itemIds)]);
  const seed = ctx.model.embedItems(seedItems);
  let candIds = opts.candidates;
  if (!candIds) {
    if (!opts.category) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'give candidates or the category of the blank');
    candIds = await retrieve(ctx, seed, opts.category, opts.retrieve ?? 100, opts.filter ?? {}, opts.itemIds);
  }
  candIds = [...new Set(candIds)].filter((id) => !opts.itemIds.includes(id));
  if (candIds.length === 0) return { category: opts.category ?? null, ranked: [] };
  const ranked = rankAgainst(ctx, seed, seedItems, await modelItems(ctx, candIds));
  return { category: opts.category ?? ranked[0]?.category ?? null, ranked: ranked.slice(0, opts.k ?? ranked.length) };
}

export interface CompleteOptions {
  itemIds: string[];
  /** Outfits wanted (default 3). */
  n?: number;
  /** Categories to add; default: learned from the training outfits' type combinations. */
  categories?: string[];
  filter?: ItemFilter;
  /** Candidates retrieved per category (default 40). */
  perCategory?: number;
  beamWidth?: number;
  /** Most added items two proposals may share (default 1). */
  maxShared?: number;
}

export interface ProposedOutfit {
  itemIds: string[];
  added: { id: string; category: string | null; reason: string }[];
  score: number;
  raw: number;
  weakestPair: { a: string; b: string; score: number } | null;
  categories: string[];
  reasons: string[];
}

/** Category sets to add: the most frequent training combinations covering the seed's types. */
export function slotPlans(model: CompatibilityModel, seedCats: (string | null)[], wanted: number): string[][] {
  const have = new Set(seedCats.filter((c): c is string => c != null));
  const scored = model.meta.templates
    .map((t) => ({ add: t.categories.filter((c) => !have.has(c)), cover: t.categories.filter((c) => have.has(c)).length, count: t.count }))
    .filter((t) => t.add.length > 0 && t.cover > 0)
    .sort((a, b) => b.cover - a.cover || b.count - a.count);
  const plans: string[][] = [];
  for (const t of scored) {
    if (!plans.some((p) => p.join('|') === t.add.join('|'))) plans.push(t.add);
    if (plans.length >= wanted) break;
  }
  return plans;
}

export async function completeTheLook(ctx: OutfitContext, opts: CompleteOptions): Promise<{ outfits: ProposedOutfit[]; plans: string[][] }> {
  const n = opts.n ?? 3, M = opts.perCategory ?? 40, beamWidth = opts.beamWidth ?? 24, maxShared = opts.maxShared ?? 1;
  const seedIds = [...new Set(opts.itemIds)];
  if (seedIds.length < 1) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'complete-the-look needs at least one item');
  const m = ctx.model;
  const seedItems = await modelItems(ctx, seedIds);
  const seed = m.embedItems(seedItems);
  const plans = opts.categories?.length ? [opts.categories] : slotPlans(m, seedItems.map((s) => s.category), Math.max(n, 4));
  if (plans.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'no learned category combination contains these items: pass the categories to add');
  // One candidate pool per category, retrieved once and embedded once.
  const pools = new Map<string, { items: ModelItem[]; E: Embedded }>();
  const cats = [...new Set(plans.flat())];
  const idsPerCat = await Promise.all(cats.map((cat) => retrieve(ctx, seed, cat, M, opts.filter ?? {}, seedIds)));
  const allIds = [...new Set(idsPerCat.flat())];
  const loaded = new Map((allIds.length ? await modelItems(ctx, allIds) : []).map((it) => [it.id, it])); // one store round trip
  cats.forEach((cat, k) => {
    const items = idsPerCat[k].map((id) => loaded.get(id)!);
    pools.set(cat, { items, E: m.embedItems(items) });
  });
  // Seed pairwise sum, then beam search slot by slot; state = chosen (cat, index) + pair sum.
  let seedSum = 0;
  for (let i = 0; i < seedItems.length; i++) for (let j = i + 1; j < seedItems.length; j++) seedSum += m.pair(seed, i, seed, j);
  type State = { picks: { cat: string; j: number }[]; sum: number };
  const finals: { state: State; plan: string[] }[] = [];
  for (const plan of plans) {
    let beam: State[] = [{ picks: [], sum: seedSum }];
    for (const cat of plan) {
      const pool = pools.get(cat)!;
      if (pool.items.length === 0) continue;
      const next: State[] = [];
      for (const st of beam) {
        for (let j = 0; j < pool.items.length; j++) {
          if (st.picks.some((p) => p.cat === cat && p.j === j)) continue;
          let add = 0;
          for (let i = 0; i < seedItems.length; i++) add += m.pair(seed, i, pool.E, j);
          for (const p of st.picks) add += m.pair(pools.get(p.cat)!.E, p.j, pool.E, j);
          next.push({ picks: [...st.picks, { cat, j }], sum: st.sum + add });
        }
      }
      next.sort((a, b) => b.sum - a.sum);
      beam = next.slice(0, beamWidth);
    }
    for (const st of beam) if (st.picks.length) finals.push({ state: st, plan });
  }
  const meanOf = (st: State) => { const k = seedItems.length + st.picks.length; return st.sum / ((k * (k - 1)) / 2); };
  finals.sort((a, b) => meanOf(b.state) - meanOf(a.state));
  const chosen: { state: State; plan: string[] }[] = [];
  const idOf = (p: { cat: string; j: number }) => pools.get(p.cat)!.items[p.j].id;
  for (const f of finals) {
    const ids = new Set(f.state.picks.map(idOf));
    if (chosen.every((c) => c.state.picks.filter((p) => ids.has(idOf(p))).length <= maxShared)) chosen.push(f);
    if (chosen.length >= n) break;
  }
  const outfits = chosen.map(({ state, plan }) => {
    const all = [...seedItems, ...state.picks.map((p) => pools.get(p.cat)!.items[p.j])];
    const s = m.scoreOutfit(all);
    const added = state.picks.map((p) => {
      const it = pools.get(p.cat)!.items[p.j];
      const best = seedItems.map((si, i) => ({ id: si.id, s: m.pair(seed, i, pools.get(p.cat)!.E, p.j) })).reduce((a, x) => (x.s > a.s ? x : a));
      return { id: it.id, category: it.category, reason: `${p.cat}: best match with ${best.id} (${best.s.toFixed(3)})` };
    });
    return {
      itemIds: all.map((x) => x.id), added, score: s.score, raw: s.raw, weakestPair: s.weakestPair, categories: plan,
      reasons: [`adds ${plan.join(' + ')} (a combination stylists used ${m.meta.templates.find((t) => plan.every((c) => t.categories.includes(c)))?.count ?? 0}×)`,
        ...(s.weakestPair ? [`weakest pair ${s.weakestPair.a} + ${s.weakestPair.b} (${s.weakestPair.score.toFixed(3)})`] : [])],
    };
  });
  // Best first: the beam keeps diversity, but the list a person reads should be ordered by score.
  outfits.sort((a, b) => b.score - a.score);
  return { outfits, plans };
}
