/**
 * Ranking metrics over one ranked list and a set of relevant ids (any id type). Generic: used by the
 * personalization eval and any other retrieval eval. Averages over users are left to the caller
 * (see `mean`). Conventions follow cornac / common practice:
 * - recall@k = |top-k ∩ relevant| / |relevant|
 * - ndcg@k with binary gains, ideal DCG over min(|relevant|, k) hits
 * - ap@k = Σ_{r≤k} P@r·rel(r) / min(|relevant|, k)  (MAP@12 as in the H&M Kaggle metric)
 */
import { LookbookError } from '../../errors.ts';

export function precisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  if (k <= 0) return 0;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) hits++;
  return hits / k;
}

export function recallAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) hits++;
  return hits / relevant.size;
}

export function ndcgAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

export function averagePrecisionAtK<T>(ranked: readonly T[], relevant: ReadonlySet<T>, k: number): number {
  return averagePrecisionFromFlags(ranked.slice(0, k).map((x) => relevant.has(x)), k, relevant.size);
}

/**
 * AP@k from the relevance flags of a ranked list and the number of relevant items in all,
 * normalised by min(k, totalRelevant) (for retrieval evaluations that know counts, not ids).
 */
export function averagePrecisionFromFlags(flags: readonly boolean[], k: number, totalRelevant: number): number {
  const denom = Math.min(k, totalRelevant);
  if (denom <= 0) return 0;
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < Math.min(k, flags.length); r++) {
    if (flags[r]) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return sum / denom;
}

/** Share of the catalogue that appears in at least one list (catalogue coverage). */
export function catalogueCoverage<T>(lists: Iterable<readonly T[]>, catalogueSize: number): number {
  if (catalogueSize <= 0) return 0;
  const seen = new Set<T>();
  for (const l of lists) for (const x of l) seen.add(x);
  return seen.size / catalogueSize;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export type RankingMetricName = `recall@${number}` | `ndcg@${number}` | `map@${number}` | `precision@${number}`;

/** Evaluates named metrics ("recall@10", "ndcg@20", "map@12", "precision@5") on one list. */
export function rankingMetrics<T>(ranked: readonly T[], relevant: ReadonlySet<T>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const m = /^(recall|ndcg|map|precision)@(\d+)$/.exec(name);
    if (!m) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unknown ranking metric "${name}"`);
    const k = Number(m[2]);
    const fn = { recall: recallAtK, ndcg: ndcgAtK, map: averagePrecisionAtK, precision: precisionAtK }[m[1] as 'recall'];
    out[name] = fn(ranked, relevant, k);
  }
  return out;
}
