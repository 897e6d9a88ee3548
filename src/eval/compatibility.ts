/**
 * Compatibility evaluation (DESIGN.md protocol): split by outfit with a fixed seed; the model is
 * trained on the training outfits only (its own validation split comes out of those); on the test
 * outfits: FITB with 4 candidates of the blank's category (random = 25%) and compatibility AUC of
 * test outfits against the same outfits with items swapped for random same-category items
 * ('all' items swapped, the Polyvore-style protocol, and 'one' item swapped, a harder variant).
 * Baselines: random, raw CNN cosine, colour harmony heuristic, and item popularity in the
 * training outfits (shows how much of the signal is "these items are often used").
 */
import { colourHarmony } from '../attributes/index.ts';
import type { FeatureRecord } from '../types.ts';
import type { Store } from '../store/store.ts';
import { ItemTable, makeRng, shuffleInPlace } from '../models/compatibility/data.ts';
import type { CompatibilityModel } from '../models/compatibility/model.ts';
import { makeFitbQuestions, makeSwappedOutfits, rocAuc, type FitbQuestion } from '../models/compatibility/protocol.ts';
import { fitCompatibility, type FitOptions } from '../models/compatibility/train.ts';
import { storeItemTable } from '../models/compatibility/registry.ts';

export interface CompatEvalOptions extends FitOptions {
  backbone: string;
  categoryColumn: string;
  seed?: number;
  testFraction?: number;
  histogramWeight?: number;
  onLog?: (line: string) => void;
}

export interface MethodResult {
  method: string;
  fitb: number;
  aucAll: number;
  aucOne: number;
}

export interface CompatEvalReport {
  protocol: string;
  seed: number;
  categoryColumn: string;
  backbone: string;
  items: number;
  categories: number;
  outfits: { total: number; train: number; test: number };
  fitbQuestions: number;
  negatives: number;
  results: MethodResult[];
  model: { steps: number; trainSeconds: number; valFitb: number; valAuc: number };
  seconds: number;
  trained: CompatibilityModel;
}

export type PairScorer = (a: number, b: number) => number;

/** FITB accuracy; ties share the credit (expected accuracy of a random tie-break). */
export function fitbScore(qs: FitbQuestion[], pair: PairScorer): number {
  let acc = 0;
  for (const q of qs) {
    const s = q.candidates.map((c) => q.context.reduce((t, r) => t + pair(r, c), 0));
    const best = Math.max(...s);
    if (s[q.answerIndex] === best) acc += 1 / s.filter((x) => x === best).length;
  }
  return qs.length ? acc / qs.length : NaN;
}

export function outfitMean(rows: number[], pair: PairScorer): number {
  let t = 0, n = 0;
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) { t += pair(rows[i], rows[j]); n++; }
  return n ? t / n : 0;
}

export async function evaluateCompatibility(store: Store, opts: CompatEvalOptions): Promise<CompatEvalReport> {
  const t0 = performance.now();
  const seed = opts.seed ?? 42;
  const log = opts.onLog ?? (() => {});
  const hw = opts.histogramWeight ?? 0.5;
  const { items, histLen, vectorDim, features } = await storeItemTable(store, opts.backbone, opts.categoryColumn, hw);
  const table = new ItemTable(items);
  const all = (await store.listOutfits()).map((o) => ({ id: o.id, itemIds: o.itemIds, rows: table.rowsOf(o) })).filter((o) => o.rows.length >= 2);
  all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  shuffleInPlace(all, makeRng(seed));
  const nTest = Math.round(all.length * (opts.testFraction ?? 0.2));
  const test = all.slice(0, nTest);
  const train = all.slice(nTest);
  log(`items ${items.ids.length}, outfits ${all.length} (train ${train.length}, test ${test.length}), seed ${seed}`);

  const fit = await fitCompatibility(items, train.map((o) => ({ id: o.id, itemIds: o.itemIds })), {
    ...opts, seed, histLen, vectorDim, histogramWeight: hw,
    onProgress: opts.onProgress ?? ((e) => e.valFitb !== undefined && log(`  step ${e.step} loss ${e.loss.toFixed(3)} val FITB ${e.valFitb.toFixed(3)}`)),
  });
  const model = fit.model;
  const qs = makeFitbQuestions(table, test, makeRng(seed + 100));
  const negAll = makeSwappedOutfits(table, test, makeRng(seed + 200), 'all');
  const negOne = makeSwappedOutfits(table, test, makeRng(seed + 300), 'one');

  const E = model.embed(items.vectors, items.categories);
  const scorers: Record<string, PairScorer> = {};
  scorers['type-aware model'] = (a, b) => model.pair(E, a, E, b);
  const rnd = makeRng(seed + 400);
  const rndCache = new Map<string, number>();
  scorers['random'] = (a, b) => {
    const k = a < b ? `${a}:${b}` : `${b}:${a}`;
    let v = rndCache.get(k);
    if (v === undefined) rndCache.set(k, (v = rnd()));
    return v;
  };
  scorers['cosine (raw CNN)'] = (a, b) => {
    const x = table.row(a), y = table.row(b);
    let s = 0;
    for (let d = 0; d < vectorDim; d++) s += x[d] * y[d];
    return s;
  };
  const attrs = (r: number) => (features.get(items.ids[r]) as FeatureRecord).attributes;
  scorers['colour harmony'] = (a, b) => {
    const x = attrs(a), y = attrs(b);
    return x?.colours?.length && y?.colours?.length ? colourHarmony(x, y) : 0;
  };
  const pop = new Float64Array(items.ids.length);
  for (const o of train) for (const r of o.rows) pop[r]++;
  scorers['popularity (train outfits)'] = (a, b) => Math.log1p(pop[a]) + Math.log1p(pop[b]);

  const results: MethodResult[] = Object.entries(scorers).map(([method, pair]) => ({
    method,
    fitb: fitbScore(qs, pair),
    aucAll: rocAuc(test.map((o) => outfitMean(o.rows, pair)), negAll.map((o) => outfitMean(o.rows, pair))),
    aucOne: rocAuc(test.map((o) => outfitMean(o.rows, pair)), negOne.map((o) => outfitMean(o.rows, pair))),
  }));
  return {
    protocol: 'split by outfit (20% test, fixed seed); FITB: 1 blank per test outfit, 4 candidates of the blank\'s category (answer + 3 random same-category catalogue items, random = 25%); AUC: test outfits vs the same outfits with all items (aucAll) or one item (aucOne) swapped for random same-category items',
    seed, categoryColumn: opts.categoryColumn, backbone: opts.backbone,
    items: items.ids.length, categories: table.pools.size,
    outfits: { total: all.length, train: train.length, test: test.length },
    fitbQuestions: qs.length, negatives: negAll.length, results,
    model: { steps: fit.steps, trainSeconds: fit.seconds, valFitb: model.meta.metrics.valFitb, valAuc: model.meta.metrics.valAuc },
    seconds: (performance.now() - t0) / 1000,
    trained: model,
  };
}
