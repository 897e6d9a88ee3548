/**
 * Question generation shared by training (validation / early stopping / calibration) and the
 * evaluation harness: fill-in-the-blank questions and negative outfits made by swapping items
 * for random items of the same type. All sampling is seeded.
 */
import type { ItemTable } from './data.ts';

export interface FitbQuestion {
  outfitId: string;
  /** Rows of the outfit's other items (the context). */
  context: number[];
  /** Candidate rows: the answer plus distractors of the blank's category, shuffled. */
  candidates: number[];
  answerIndex: number;
  category: string;
}

/** One question per outfit with ≥ 2 known items whose blank's category has ≥ nCandidates items. */
export function makeFitbQuestions(
  table: ItemTable,
  outfits: { id: string; rows: number[] }[],
  rng: () => number,
  nCandidates = 4,
): FitbQuestion[] {
  const out: FitbQuestion[] = [];
  for (const o of outfits) {
    if (o.rows.length < 2) continue;
    const eligible = o.rows.filter((r) => (table.pools.get(table.category(r) ?? '')?.length ?? 0) >= nCandidates + o.rows.length);
    if (eligible.length === 0) continue;
    const answer = eligible[Math.floor(rng() * eligible.length)];
    const category = table.category(answer)!;
    const distractors = table.sampleSameCategory(category, nCandidates - 1, new Set(o.rows), rng);
    if (distractors.length < nCandidates - 1) continue;
    const candidates = [answer, ...distractors];
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    out.push({ outfitId: o.id, context: o.rows.filter((r) => r !== answer), candidates, answerIndex: candidates.indexOf(answer), category });
  }
  return out;
}

/**
 * Negative outfits: `mode = 'all'` replaces every item by a random item of its type (the Polyvore
 * protocol's random outfits, type-matched); `mode = 'one'` replaces a single random item (harder).
 * Items whose type has no other item are kept.
 */
export function makeSwappedOutfits(
  table: ItemTable,
  outfits: { id: string; rows: number[] }[],
  rng: () => number,
  mode: 'all' | 'one' = 'all',
): { id: string; rows: number[] }[] {
  return outfits.map((o) => {
    const rows = o.rows.slice();
    const exclude = new Set(o.rows);
    const positions = mode === 'all' ? rows.map((_, i) => i) : [Math.floor(rng() * rows.length)];
    for (const p of positions) {
      const [r] = table.sampleSameCategory(table.category(rows[p]), 1, exclude, rng);
      if (r !== undefined) {
        rows[p] = r;
        exclude.add(r);
      }
    }
    return { id: `${o.id}~neg`, rows };
  });
}

/** Area under the ROC curve (ties count half). */
export function rocAuc(pos: number[], neg: number[]): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  const all = [...pos.map((s) => ({ s, y: 1 })), ...neg.map((s) => ({ s, y: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + j + 1) / 2; // 1-based average rank of the tie group
    for (let k = i; k < j; k++) if (all[k].y === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Platt scaling: fits sigmoid(a·s + b) to labelled scores by Newton's method on the (smoothed) log-loss. */
export function plattFit(pos: number[], neg: number[]): { a: number; b: number } {
  const raw = [...pos, ...neg];
  if (raw.length === 0) return { a: 1, b: 0 };
  // Platt's smoothed targets keep the fit finite when the scores separate the classes.
  const hi = (pos.length + 1) / (pos.length + 2);
  const lo = 1 / (neg.length + 2);
  const ys = [...pos.map(() => hi), ...neg.map(() => lo)];
  // Fit on standardised scores (well-conditioned Newton steps), then map back.
  const mu = raw.reduce((s, x) => s + x, 0) / raw.length;
  const sd = Math.sqrt(raw.reduce((s, x) => s + (x - mu) ** 2, 0) / raw.length) || 1;
  const xs = raw.map((x) => (x - mu) / sd);
  let a = 0;
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (let i = 0; i < xs.length; i++) {
      const p = 1 / (1 + Math.exp(-(a * xs[i] + b)));
      const w = p * (1 - p);
      ga += (p - ys[i]) * xs[i];
      gb += p - ys[i];
      haa += w * xs[i] * xs[i];
      hab += w * xs[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    let da = (hbb * ga - hab * gb) / det;
    let db = (haa * gb - hab * ga) / det;
    const step = Math.max(Math.abs(da), Math.abs(db));
    if (step > 2) { da *= 2 / step; db *= 2 / step; } // damped Newton
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a: a / sd, b: b - (a * mu) / sd };
}
