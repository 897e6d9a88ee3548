/**
 * Popularity baseline: an item's score is how many users interacted with it (optionally weighted
 * by event weight and decayed by age, half-life in days, relative to the newest training event).
 * The same list for everyone, unknown users included.
 */
import type { InteractionData } from '../../events/interactions.ts';
import { Recommender, type Explanation, type ModelArrays, type UserProfile, type UserRef } from '../recommender.ts';

export interface PopularityConfig {
  /** Recency half-life in days; 0/undefined = no decay. */
  halfLifeDays?: number;
  /** Sum event weights instead of counting users. */
  weighted?: boolean;
  /**
   * Score log(1 + popularity) instead of popularity (same ranking; a lighter tail, so that the
   * hybrid's z-scored blend is not dominated by a handful of best-sellers).
   */
  logScale?: boolean;
}

export class PopularityRecommender extends Recommender {
  static readonly modelName = 'popularity';
  declare readonly config: PopularityConfig & Record<string, unknown>;
  private pop: Float32Array = new Float32Array(0);

  constructor(config: PopularityConfig = {}) {
    super({ ...config });
  }

  protected fitModel(train: InteractionData): void {
    const pop = new Float32Array(train.nItems);
    const half = this.config.halfLifeDays ?? 0;
    let ref = 0;
    for (const t of train.times) if (t > ref) ref = t;
    const lambda = half > 0 ? Math.LN2 / (half * 86_400_000) : 0;
    for (let p = 0; p < train.nnz; p++) {
      const w = this.config.weighted ? train.values[p]! : 1;
      pop[train.indices[p]!]! += lambda > 0 ? w * Math.exp(-lambda * (ref - train.times[p]!)) : w;
    }
    if (this.config.logScale) for (let i = 0; i < pop.length; i++) pop[i] = Math.log1p(pop[i]!);
    this.pop = pop;
  }

  /** Popularity of every item (a copy). */
  scores(): Float32Array {
    return this.pop.slice();
  }
  protected scoreUser(_u: number, out: Float32Array): void {
    out.set(this.pop);
  }
  protected override scoreProfile(_p: UserProfile, out: Float32Array): void {
    out.set(this.pop);
  }
  override score(user: UserRef, itemIdxs?: ArrayLike<number>): Float32Array {
    // unknown users get the popular list too
    return super.score(typeof user === 'number' && user < 0 ? { itemIdxs: [] } : user, itemIdxs);
  }
  override explain(_user: UserRef, itemIdx: number): Explanation | undefined {
    return this.pop[itemIdx]! > 0 ? { kind: 'popular', strength: this.pop[itemIdx]! } : undefined;
  }
  protected exportState(): { arrays: ModelArrays } {
    return { arrays: { pop: this.pop } };
  }
  protected importState(arrays: ModelArrays): void {
    this.pop = arrays.pop as Float32Array;
  }
}
