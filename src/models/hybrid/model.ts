/**
 * Hybrid: a weighted sum of component models' per-user z-scored scores. Weights are tuned by
 * coordinate ascent on Recall@20 over a validation split carved from the *training* data (latest
 * `validationFraction` of entries when events carry times, else one seeded held-out item per user);
 * components are then refitted on the full training data. The test split is never seen.
 */
import { LookbookError } from '../../errors.ts';
import type { InteractionData } from '../../events/interactions.ts';
import { Recommender, createRecommender, rng, type Explanation, type FitOptions, type ModelArrays, type UserProfile, type UserRef } from '../recommender.ts';
import { recallAtK } from '../../eval/metrics/ranking.ts';
import { topK } from '../recommender.ts';
import type { EvalCase } from './evaluate.ts';

export interface HybridComponent {
  name: string;
  config?: Record<string, unknown>;
  /** Fixed weight; tuned when `tune` is on. */
  weight?: number;
}

export interface HybridConfig {
  components?: HybridComponent[];
  /** Tune weights on a validation split carved from training data (default true). */
  tune?: boolean;
  validationFraction?: number;
  /**
   * Consecutive validation periods (each `validationFraction` of the entries, latest first) whose
   * Recall@20 is pooled when tuning: steadier choices when the latest period is unusual. Default 1.
   */
  validationWindows?: number;
  /** Weights tried per component during coordinate ascent. */
  grid?: number[];
  /** Cap on validation users (speed). */
  maxValidationUsers?: number;
  /**
   * Shortlist sizes tried on validation (0 = off): only the top-N items of the shortlist component
   * (default: the popularity component, e.g. what is trending now) get their blended score; the rest
   * rank after them. Lets personal signals reorder what is current instead of reviving retired items.
   * With `tune: false`, a single value is used as given.
   */
  shortlistSizes?: number[];
  /** Component index the shortlist comes from (default: the first popularity component). */
  shortlistComponent?: number;
  seed?: number;
}

const DEFAULT_COMPONENTS: HybridComponent[] = [
  { name: 'popularity', config: { halfLifeDays: 60 } },
  { name: 'item-knn' },
  { name: 'bpr' },
];

export class HybridRecommender extends Recommender {
  static readonly modelName = 'hybrid';
  declare readonly config: HybridConfig & Record<string, unknown>;
  components: Recommender[] = [];
  weights: number[] = [];
  /** Validation Recall@20 per tried weight vector (for reports). */
  tuning: { weights: number[]; recall20: number; shortlist?: number }[] = [];
  /** Tuned shortlist size (0 = off) over component `shortlistComponent`. */
  shortlistSize = 0;

  constructor(config: HybridConfig = {}) {
    super({ components: DEFAULT_COMPONENTS, tune: true, validationFraction: 0.1, grid: [0, 0.25, 0.5, 1, 2, 4], maxValidationUsers: 5000, seed: 42, ...config });
  }

  private get shortlistComponent(): number {
    return this.config.shortlistComponent ?? this.specs.findIndex((s) => s.name === 'popularity');
  }

  private get specs(): HybridComponent[] {
    const c = this.config.components ?? DEFAULT_COMPONENTS;
    if (c.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'hybrid needs at least one component');
    return c;
  }

  private async fitComponents(train: InteractionData, opts: FitOptions): Promise<Recommender[]> {
    const out: Recommender[] = [];
    for (const s of this.specs) out.push(await (await createRecommender(s.name, s.config)).fit(train, opts));
    return out;
  }

  /** Carves validation entries out of train: the latest share by time, or one random entry per user. */
  /** Whether entries carry distinct times (else validation is one random entry per user). */
  private static timed(train: InteractionData): boolean {
    let lo = Infinity, hi = -Infinity;
    for (const t of train.times) {
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    return lo !== hi;
  }

  /**
   * Window w (0 = latest) of a rolling-origin validation: validation = entries in the w-th latest
   * `validationFraction` of time, fit = every entry before it (later ones are the future: left out).
   */
  private carve(train: InteractionData, window = 0): { fit: InteractionData; cases: EvalCase[] } {
    const f = this.config.validationFraction ?? 0.1;
    const times = [...train.times].sort((a, b) => a - b);
    const timed = HybridRecommender.timed(train);
    const rand = rng((this.config.seed ?? 42) + window);
    let isVal: (p: number) => boolean;
    let inFit: (p: number) => boolean;
    if (timed) {
      const lo = times[Math.floor(times.length * (1 - f * (window + 1)))]!;
      const hi = window === 0 ? Infinity : times[Math.floor(times.length * (1 - f * window))]!;
      isVal = (p) => train.times[p]! >= lo && train.times[p]! < hi;
      inFit = (p) => train.times[p]! < lo;
    } else {
      const pick = new Set<number>();
      for (let u = 0; u < train.nUsers; u++) {
        const n = train.indptr[u + 1]! - train.indptr[u]!;
        if (n >= 2) pick.add(train.indptr[u]! + Math.floor(rand() * n));
      }
      isVal = (p) => pick.has(p);
      inFit = (p) => !pick.has(p);
    }
    const fit = train.subset(inFit);
    const rel = new Map<number, Set<number>>();
    for (let u = 0; u < train.nUsers; u++) {
      if (fit.indptr[u + 1] === fit.indptr[u]) continue; // only users with history left
      for (let p = train.indptr[u]!; p < train.indptr[u + 1]!; p++) {
        if (!isVal(p)) continue;
        let s = rel.get(u);
        if (!s) rel.set(u, (s = new Set()));
        s.add(train.indices[p]!);
      }
    }
    let cases: EvalCase[] = [...rel.entries()].map(([u, relevant]) => ({ user: u, relevant, exclude: new Set(fit.userItems(u)) }));
    const max = this.config.maxValidationUsers ?? 2000;
    if (cases.length > max) cases = cases.filter(() => rand() < max / cases.length);
    return { fit, cases };
  }

  protected async fitModel(train: InteractionData, opts: FitOptions): Promise<void> {
    const specs = this.specs;
    this.weights = specs.map((s) => s.weight ?? 1);
    // untuned: a single shortlist size is used as given
    const fixed = this.config.shortlistSizes;
    this.shortlistSize = fixed?.length === 1 && this.shortlistComponent >= 0 ? fixed[0]! : 0;
    if ((this.config.tune ?? true) && specs.length > 1) {
      // rolling-origin validation over `validationWindows` consecutive periods (timed data only)
      const windows = HybridRecommender.timed(train) ? Math.max(1, this.config.validationWindows ?? 1) : 1;
      const cases: EvalCase[] = [];
      const pre: Float32Array[][] = [];
      for (let w = 0; w < windows; w++) {
        const carved = this.carve(train, w);
        if (carved.cases.length === 0) continue;
        this.components = await this.fitComponents(carved.fit, opts);
        this.train = carved.fit;
        for (const c of carved.cases) {
          cases.push(c);
          pre.push(this.zscores(c.user, specs.map(() => 1)));
        }
      }
      if (cases.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'no validation users could be carved from the training data');
      const blended = new Float32Array(train.nItems);
      const sc = this.shortlistComponent;
      const thresholds = new Map<number, number[]>();
      const thresholdsFor = (size: number) => {
        let t = thresholds.get(size);
        if (!t) thresholds.set(size, (t = pre.map((p) => kthLargest(p[sc]!, size))));
        return t;
      };
      let size = 0;
      const evalW = (w: number[]) => {
        let sum = 0;
        const thr = size > 0 && sc >= 0 ? thresholdsFor(size) : undefined;
        cases.forEach((c, n) => {
          blended.fill(0);
          pre[n]!.forEach((s, k) => {
            if (w[k] !== 0) for (let i = 0; i < s.length; i++) blended[i]! += w[k]! * s[i]!;
          });
          if (thr) applyShortlist(blended, pre[n]![sc]!, thr[n]!);
          sum += recallAtK(topK(blended, 20, undefined, c.exclude).map((r) => r.idx), c.relevant, 20);
        });
        const r = sum / cases.length;
        this.tuning.push({ weights: [...w], recall20: r, shortlist: size });
        return r;
      };
      let best = [...this.weights];
      let bestR = evalW(best);
      const ascend = (rounds: number) => {
        for (let round = 0; round < rounds; round++) {
          for (let c = 0; c < specs.length; c++) {
            for (const g of this.config.grid ?? [0, 0.5, 1, 2]) {
              if (g === best[c]) continue;
              const w = [...best];
              w[c] = g;
              if (w.every((x) => x === 0)) continue;
              const r = evalW(w);
              if (r > bestR + 1e-9) [best, bestR] = [w, r];
            }
          }
        }
      };
      ascend(2);
      // then the shortlist size (with those weights), and one more round of weights with it
      const sizes = sc >= 0 ? (this.config.shortlistSizes ?? []).filter((x) => x > 0) : [];
      let bestSize = 0;
      for (const z of sizes) {
        size = z;
        const r = evalW(best);
        if (r > bestR + 1e-9) [bestSize, bestR] = [z, r];
      }
      size = bestSize;
      if (bestSize > 0) ascend(1);
      this.shortlistSize = bestSize;
      this.weights = best;
      this.train = train;
    }
    this.components = await this.fitComponents(train, opts);
    this.cache = undefined;
  }

  private cache?: { user: UserRef; parts: Float32Array[] };

  /** Z-scored scores of each component (cached for the last user). */
  private parts(user: UserRef): Float32Array[] {
    if (this.cache && this.cache.user === user) return this.cache.parts;
    const sc = this.shortlistComponent;
    const parts = this.zscores(user, this.weights.map((w, c) => (this.shortlistSize > 0 && c === sc ? 1 : w)));
    this.cache = { user, parts };
    return parts;
  }

  private zscores(user: UserRef, weights: number[]): Float32Array[] {
    return this.components.map((m, c) => {
      if (weights[c] === 0) return new Float32Array(m.data.nItems);
      const s = m.score(user);
      let mean = 0;
      for (const x of s) mean += x;
      mean /= s.length;
      let v = 0;
      for (const x of s) v += (x - mean) ** 2;
      const sd = Math.sqrt(v / s.length);
      for (let i = 0; i < s.length; i++) s[i] = sd > 0 ? (s[i]! - mean) / sd : 0;
      return s;
    });
  }

  private blend(user: UserRef, out: Float32Array): void {
    out.fill(0);
    const parts = this.parts(user);
    parts.forEach((s, c) => {
      const w = this.weights[c]!;
      if (w !== 0) for (let i = 0; i < out.length; i++) out[i]! += w * s[i]!;
    });
    const sc = this.shortlistComponent;
    if (this.shortlistSize > 0 && sc >= 0) applyShortlist(out, parts[sc]!, kthLargest(parts[sc]!, this.shortlistSize));
  }
  protected scoreUser(u: number, out: Float32Array): void {
    this.blend(u, out);
  }
  protected override scoreProfile(p: UserProfile, out: Float32Array): void {
    this.blend(p, out);
  }
  override score(user: UserRef, itemIdxs?: ArrayLike<number>): Float32Array {
    // unknown users still get the blend (popularity-like components answer for them)
    if (typeof user === 'number' && (user < 0 || user >= this.data.nUsers)) user = { itemIdxs: [] };
    return super.score(user, itemIdxs);
  }

  /** The explanation of the component contributing most to item i. */
  override explain(user: UserRef, itemIdx: number): Explanation | undefined {
    const parts = this.parts(user);
    const order = this.components
      .map((m, c) => ({ m, contrib: this.weights[c]! * (parts[c]![itemIdx] ?? 0) }))
      .filter((x) => x.contrib > 0)
      .sort((a, b) => b.contrib - a.contrib);
    for (const { m } of order) {
      const e = m.explain(user, itemIdx);
      if (e) return e;
    }
    return undefined;
  }

  protected exportState(): { arrays: ModelArrays; state: Record<string, unknown> } {
    return { arrays: {}, state: { weights: this.weights, shortlistSize: this.shortlistSize, components: this.specs.map((s) => s.name), tuning: this.tuning } };
  }
  protected importState(_a: ModelArrays, state: Record<string, unknown>): void {
    this.weights = state.weights as number[];
    this.shortlistSize = (state.shortlistSize as number | undefined) ?? 0;
    this.tuning = (state.tuning as HybridRecommender['tuning']) ?? [];
  }
  protected override async saveExtra(dir: string): Promise<void> {
    for (let c = 0; c < this.components.length; c++) await this.components[c]!.save(`${dir}/component-${c}`);
  }
  protected override async loadExtra(dir: string): Promise<void> {
    this.components = [];
    for (let c = 0; c < this.specs.length; c++) this.components.push(await Recommender.load(`${dir}/component-${c}`));
  }
}

/** Penalty putting items outside the shortlist after every shortlisted one (z-scored blends stay far below it). */
const OUTSIDE = 1e4;

/** The k-th largest value of s (-Infinity when k exceeds its length). */
function kthLargest(s: Float32Array, k: number): number {
  const top = topK(s, k);
  return top.length < k ? -Infinity : top[top.length - 1]!.score;
}

function applyShortlist(blended: Float32Array, by: Float32Array, threshold: number): void {
  for (let i = 0; i < blended.length; i++) if (by[i]! < threshold) blended[i]! -= OUTSIDE;
}
