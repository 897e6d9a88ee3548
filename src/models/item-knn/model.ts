/**
 * Item-kNN on co-occurrence: sim(i,j) = Σ_u w_ui·w_uj / (‖w_i‖·‖w_j‖ + shrink), keeping the top-N
 * neighbours per item. A user's score for item i sums sim(j,i) over the items j in their history,
 * so a new user given a handful of liked items is scored the same way (no retraining).
 */
import type { InteractionData } from '../../events/interactions.ts';
import { Recommender, topK, type Explanation, type ModelArrays, type UserProfile, type UserRef } from '../recommender.ts';

export interface ItemKnnConfig {
  /** Neighbours kept per item (default 100). */
  neighbours?: number;
  /** Shrinkage added to the cosine denominator (default 50). */
  shrink?: number;
  /** Use summed event weights (log-scaled) instead of 0/1 interactions (default false). */
  weighted?: boolean;
  /**
   * Recency half-life in days for a known user's history (0 = off): recent interactions count more
   * when summing neighbours, relative to the newest training event.
   */
  halfLifeDays?: number;
}

export class ItemKnnRecommender extends Recommender {
  static readonly modelName = 'item-knn';
  declare readonly config: ItemKnnConfig & Record<string, unknown>;
  /** CSR: neighbours of item j are nbr[ptr[j]..ptr[j+1]) with similarity sim[...]. */
  private ptr: Int32Array = new Int32Array(1);
  private nbr: Int32Array = new Int32Array(0);
  private sim: Float32Array = new Float32Array(0);
  /** Newest training event time (ms), the reference for history recency. */
  private refTime = 0;

  constructor(config: ItemKnnConfig = {}) {
    super({ neighbours: 100, shrink: 50, weighted: false, halfLifeDays: 0, ...config });
  }

  private w(v: number): number {
    return this.config.weighted ? Math.log1p(v) : 1;
  }

  protected fitModel(train: InteractionData): void {
    const n = train.nItems;
    this.refTime = 0;
    for (const t of train.times) if (t > this.refTime) this.refTime = t;
    const N = this.config.neighbours ?? 100;
    const shrink = this.config.shrink ?? 10;
    const col = train.byItem();
    const norm = new Float64Array(n);
    for (let p = 0; p < train.nnz; p++) norm[train.indices[p]!]! += this.w(train.values[p]!) ** 2;
    for (let i = 0; i < n; i++) norm[i] = Math.sqrt(norm[i]!);
    const acc = new Float64Array(n);
    const touched: number[] = [];
    const ptr = new Int32Array(n + 1);
    const nbrs: Int32Array[] = [];
    const sims: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      touched.length = 0;
      for (let q = col.indptr[i]!; q < col.indptr[i + 1]!; q++) {
        const u = col.indices[q]!;
        const wi = this.w(col.values[q]!);
        for (let p = train.indptr[u]!; p < train.indptr[u + 1]!; p++) {
          const j = train.indices[p]!;
          if (j === i) continue;
          if (acc[j] === 0) touched.push(j);
          acc[j]! += wi * this.w(train.values[p]!);
        }
      }
      const s = new Float32Array(touched.length);
      touched.forEach((j, t) => {
        s[t] = acc[j]! / (norm[i]! * norm[j]! + shrink);
        acc[j] = 0;
      });
      const best = topK(s, N);
      nbrs.push(Int32Array.from(best, (b) => touched[b.idx]!));
      sims.push(Float32Array.from(best, (b) => b.score));
      ptr[i + 1] = ptr[i]! + best.length;
    }
    this.ptr = ptr;
    this.nbr = new Int32Array(ptr[n]!);
    this.sim = new Float32Array(ptr[n]!);
    for (let i = 0; i < n; i++) {
      this.nbr.set(nbrs[i]!, ptr[i]!);
      this.sim.set(sims[i]!, ptr[i]!);
    }
  }

  /** Neighbours of item i, most similar first. */
  neighboursOf(i: number): { idx: number; sim: number }[] {
    const out: { idx: number; sim: number }[] = [];
    for (let p = this.ptr[i]!; p < this.ptr[i + 1]!; p++) out.push({ idx: this.nbr[p]!, sim: this.sim[p]! });
    return out;
  }

  private accumulate(items: ArrayLike<number>, weights: ArrayLike<number> | undefined, out: Float32Array): void {
    out.fill(0);
    for (let t = 0; t < items.length; t++) {
      const j = items[t]!;
      if (j < 0 || j >= this.ptr.length - 1) continue;
      const wj = weights ? weights[t]! : 1;
      for (let p = this.ptr[j]!; p < this.ptr[j + 1]!; p++) out[this.nbr[p]!]! += wj * this.sim[p]!;
    }
  }

  protected scoreUser(u: number, out: Float32Array): void {
    const d = this.data;
    const vals = d.userValues(u);
    const half = this.config.halfLifeDays ?? 0;
    const lambda = half > 0 ? Math.LN2 / (half * 86_400_000) : 0;
    const t0 = d.indptr[u]!;
    this.accumulate(d.userItems(u), Float32Array.from(vals, (v, k) => this.w(v) * (lambda > 0 ? Math.exp(-lambda * (this.refTime - d.times[t0 + k]!)) : 1)), out);
  }
  protected override scoreProfile(p: UserProfile, out: Float32Array): void {
    this.accumulate(p.itemIdxs, p.weights, out);
  }

  /** The history item contributing most to item i's score. */
  override explain(user: UserRef, itemIdx: number): Explanation | undefined {
    const items = typeof user === 'number' ? (user >= 0 ? [...this.data.userItems(user)] : []) : user.itemIdxs;
    let best: Explanation | undefined;
    for (const j of items) {
      for (let p = this.ptr[j]!; p < this.ptr[j + 1]!; p++) {
        if (this.nbr[p] === itemIdx && (!best || this.sim[p]! > best.strength)) best = { kind: 'co-occurrence', itemIdx: j, strength: this.sim[p]! };
      }
    }
    return best;
  }

  protected exportState(): { arrays: ModelArrays; state: Record<string, unknown> } {
    return { arrays: { ptr: this.ptr, nbr: this.nbr, sim: this.sim }, state: { refTime: this.refTime } };
  }
  protected importState(a: ModelArrays, state: Record<string, unknown>): void {
    this.refTime = (state.refTime as number | undefined) ?? 0;
    this.ptr = a.ptr as Int32Array;
    this.nbr = a.nbr as Int32Array;
    this.sim = a.sim as Float32Array;
  }
}
