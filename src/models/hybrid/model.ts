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
  /** Weights tried per component during coordinate ascent. */
  grid?: number[];
  /** Cap on validation users (speed). */
  maxValidationUsers?: number;
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
  tuning: { weights: number[]; recall20: number }[] = [];

  constructor(config: HybridConfig = {}) {
    super({ components: DEFAULT_COMPONENTS, tune: true, validationFraction: 0.1, grid: [0, 0.25, 0.5, 1, 2, 4], maxValidationUsers: 1000, seed: 42, ...config });
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
  private carve(train: InteractionData): { fit: InteractionData; cases: EvalCase[] } {
    const f = this.config.validationFraction ?? 0.1;
    const times = [...train.times].sort((a, b) => a - b);
    const timed = times[0] !== times[times.length - 1];
    const rand = rng(this.config.seed ?? 42);
    let isVal: (p: number) => boolean;
    if (timed) {
      const cut = times[Math.floor(times.length * (1 - f))]!;
      isVal = (p) => train.times[p]! >= cut;
    } else {
      const pick = new Set<number>();
      for (let u = 0; u < train.nUsers; u++) {
        const n = train.indptr[u + 1]! - train.indptr[u]!;
        if (n >= 2) pick.add(train.indptr[u]! + Math.floor(rand() * n));
      }
      isVal = (p) => pick.has(p);
    }
    const fit = train.subset((p) => !isVal(p));
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
    if ((this.config.tune ?? true) && specs.length > 1) {
      const { fit, cases } = this.carve(train);
      if (cases.length === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'no validation users could be carved from the training data');
      this.components = await this.fitComponents(fit, opts);
      this.train = fit;
      const pre = cases.map((c) => this.zscores(c.user, specs.map(() => 1)));
      const blended = new Float32Array(train.nItems);
      const evalW = (w: number[]) => {
        let sum = 0;
        cases.forEach((c, n) => {
          blended.fill(0);
          pre[n]!.forEach((s, k) => {
            if (w[k] !== 0) for (let i = 0; i < s.length; i++) blended[i]! += w[k]! * s[i]!;
          });
          sum += recallAtK(topK(blended, 20, undefined, c.exclude).map((r) => r.idx), c.relevant, 20);
        });
        const r = sum / cases.length;
        this.tuning.push({ weights: [...w], recall20: r });
        return r;
      };
      let best = [...this.weights];
      let bestR = evalW(best);
      for (let round = 0; round < 2; round++) {
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
    const parts = this.zscores(user, this.weights);
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
    this.parts(user).forEach((s, c) => {
      const w = this.weights[c]!;
      if (w !== 0) for (let i = 0; i < out.length; i++) out[i]! += w * s[i]!;
    });
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
    return { arrays: {}, state: { weights: this.weights, components: this.specs.map((s) => s.name), tuning: this.tuning } };
  }
  protected importState(_a: ModelArrays, state: Record<string, unknown>): void {
    this.weights = state.weights as number[];
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
