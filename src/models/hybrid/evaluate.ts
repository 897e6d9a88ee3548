/**
 * Offline ranking evaluation of a Recommender against held-out events. Used by the hybrid (to tune
 * its weights on a validation split), by evals/recommend.ts and by the model tests.
 * - warm users: users with training history; their training items are excluded from the ranking and
 *   from the relevant set (only new items count).
 * - profile users: users unknown to training, given a few items (e.g. their first test events) as a
 *   profile; the remaining test items are the targets.
 */
import type { InteractionData } from '../../events/interactions.ts';
import { averagePrecisionAtK, catalogueCoverage, mean, ndcgAtK, recallAtK } from '../../eval/metrics/ranking.ts';
import type { Recommender, UserProfile } from '../recommender.ts';

export interface EvalCase {
  /** Known user index in train, or a profile for a new user. */
  user: number | UserProfile;
  /** Relevant item indices (train item space). */
  relevant: Set<number>;
  /** Item indices never ranked (the user's training history). */
  exclude?: Set<number>;
}

export interface EvalResult {
  users: number;
  metrics: Record<string, number>;
  coverage: number;
  seconds: number;
}

export const DEFAULT_METRICS = ['recall@10', 'recall@20', 'ndcg@10', 'ndcg@20', 'map@12'] as const;

/** Builds warm-user cases from test (user id, item id) pairs. */
export function warmCases(train: InteractionData, test: Iterable<{ userId: string; itemId: string }>, opts: { onlyItems?: Set<number> } = {}): EvalCase[] {
  const rel = new Map<number, Set<number>>();
  for (const e of test) {
    const u = train.userIndex.get(e.userId);
    const i = train.itemIndex.get(e.itemId);
    if (u === undefined || i === undefined || train.has(u, i)) continue;
    if (opts.onlyItems && !opts.onlyItems.has(i)) continue;
    let s = rel.get(u);
    if (!s) rel.set(u, (s = new Set()));
    s.add(i);
  }
  return [...rel.entries()].map(([u, relevant]) => ({ user: u, relevant, exclude: new Set(train.userItems(u)) }));
}

/** Evaluates the model on cases; candidates restrict the ranking (e.g. to cold items only). */
export function evaluateCases(
  model: Recommender,
  cases: EvalCase[],
  opts: { metrics?: readonly string[]; candidates?: ArrayLike<number>; catalogueSize?: number } = {},
): EvalResult {
  const names = opts.metrics ?? DEFAULT_METRICS;
  const parsed = names.map((n) => {
    const [kind, k] = n.split('@') as [string, string];
    return { n, kind, k: Number(k) };
  });
  const maxK = Math.max(...parsed.map((p) => p.k));
  const sums: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const lists: number[][] = [];
  const t0 = performance.now();
  for (const c of cases) {
    const ranked = model.rank(c.user, { k: maxK, exclude: c.exclude, itemIdxs: opts.candidates }).map((r) => r.idx);
    lists.push(ranked.slice(0, Math.min(20, maxK)));
    for (const p of parsed) {
      const f = p.kind === 'recall' ? recallAtK : p.kind === 'ndcg' ? ndcgAtK : averagePrecisionAtK;
      sums[p.n]!.push(f(ranked, c.relevant, p.k));
    }
  }
  const metrics = Object.fromEntries(names.map((n) => [n, mean(sums[n]!)]));
  const size = opts.catalogueSize ?? (opts.candidates ? opts.candidates.length : model.data.nItems);
  return { users: cases.length, metrics, coverage: catalogueCoverage(lists, size), seconds: (performance.now() - t0) / 1000 };
}

/** Temporal split of events into a training matrix (over every item seen) and warm-user cases. */
export async function temporalCases(
  events: { userId: string; itemId: string; kind: string; value: number | null; timestamp: number }[],
  testFraction = 0.2,
): Promise<{ train: InteractionData; cases: EvalCase[] }> {
  const { temporalSplit } = await import('../../eval/splits/temporal.ts');
  const { InteractionData: ID } = await import('../../events/interactions.ts');
  const split = temporalSplit(events, { testFraction });
  const train = ID.fromEvents(split.train, { itemIds: [...new Set(events.map((e) => e.itemId))].sort(), weights: { kinds: { rent: 1 } } });
  return { train, cases: warmCases(train, split.test) };
}
