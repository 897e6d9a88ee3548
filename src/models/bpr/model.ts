/**
 * BPR-MF (Rendle et al. 2009): score(u,i) = b_i + p_u·q_i, trained by SGD on (user, seen item,
 * unseen item) triples so that seen items rank above unseen ones. Plain TypeScript on typed
 * arrays, seeded. New users are folded in as the weighted mean of their items' factors.
 */
import type { InteractionData } from '../../events/interactions.ts';
import { Recommender, rng, type Explanation, type FitOptions, type ModelArrays, type UserProfile, type UserRef } from '../recommender.ts';

export interface BprConfig {
  factors?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 regularisation of factors. */
  reg?: number;
  biasReg?: number;
  seed?: number;
  /** Sample recent positives more often (recency half-life in days; 0 = uniform). */
  halfLifeDays?: number;
}

/** Draws BPR triples (u, seen i, unseen warm j); positives uniform or recency-weighted. */
export function tripleSampler(train: InteractionData, rand: () => number, halfLifeDays = 0): () => [number, number, number] | undefined {
  const userOf = new Int32Array(train.nnz);
  for (let u = 0; u < train.nUsers; u++) userOf.fill(u, train.indptr[u]!, train.indptr[u + 1]!);
  const warm = [...train.itemCounts()].flatMap((c, i) => (c > 0 ? [i] : []));
  let cdf: Float64Array | undefined;
  if (halfLifeDays > 0) {
    let ref = 0;
    for (const t of train.times) if (t > ref) ref = t;
    const lambda = Math.LN2 / (halfLifeDays * 86_400_000);
    cdf = new Float64Array(train.nnz);
    let acc = 0;
    for (let p = 0; p < train.nnz; p++) cdf[p] = acc += Math.exp(-lambda * (ref - train.times[p]!));
  }
  const pick = (): number => {
    if (!cdf) return Math.floor(rand() * train.nnz);
    const x = rand() * cdf[cdf.length - 1]!;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return () => {
    const p = pick();
    const u = userOf[p]!;
    let j = warm[Math.floor(rand() * warm.length)]!;
    for (let tries = 0; tries < 10 && train.has(u, j); tries++) j = warm[Math.floor(rand() * warm.length)]!;
    return train.has(u, j) ? undefined : [u, train.indices[p]!, j];
  };
}

export class BprRecommender extends Recommender {
  static readonly modelName = 'bpr';
  declare readonly config: Required<BprConfig> & Record<string, unknown>;
  protected P: Float32Array = new Float32Array(0);
  protected Q: Float32Array = new Float32Array(0);
  protected b: Float32Array = new Float32Array(0);

  constructor(config: BprConfig = {}) {
    super({ factors: 64, epochs: 30, learningRate: 0.05, reg: 0.01, biasReg: 0.01, seed: 42, halfLifeDays: 0, ...config });
  }

  protected fitModel(train: InteractionData, opts: FitOptions): void {
    const { factors: k, epochs, learningRate: lr, reg, biasReg } = this.config;
    const rand = rng(opts.seed ?? this.config.seed);
    const nU = train.nUsers;
    const nI = train.nItems;
    const P = new Float32Array(nU * k).map(() => (rand() - 0.5) * 0.1);
    const Q = new Float32Array(nI * k).map(() => (rand() - 0.5) * 0.1);
    const b = new Float32Array(nI);
    const draw = tripleSampler(train, rand, this.config.halfLifeDays);
    for (let ep = 0; ep < epochs; ep++) {
      let loss = 0;
      for (let s = 0; s < train.nnz; s++) {
        const triple = draw();
        if (!triple) continue;
        const [u, i, j] = triple;
        const pu = u * k;
        const qi = i * k;
        const qj = j * k;
        let x = b[i]! - b[j]!;
        for (let f = 0; f < k; f++) x += P[pu + f]! * (Q[qi + f]! - Q[qj + f]!);
        const z = 1 / (1 + Math.exp(x)); // σ(-x)
        loss += Math.log1p(Math.exp(-x));
        b[i]! += lr * (z - biasReg * b[i]!);
        b[j]! += lr * (-z - biasReg * b[j]!);
        for (let f = 0; f < k; f++) {
          const puf = P[pu + f]!;
          const qif = Q[qi + f]!;
          const qjf = Q[qj + f]!;
          P[pu + f] = puf + lr * (z * (qif - qjf) - reg * puf);
          Q[qi + f] = qif + lr * (z * puf - reg * qif);
          Q[qj + f] = qjf + lr * (-z * puf - reg * qjf);
        }
      }
      opts.onEpoch?.({ model: this.modelName, epoch: ep + 1, epochs, loss: loss / train.nnz });
    }
    // items never seen in training keep no learned signal: zero them (they score defaultScore)
    const counts = train.itemCounts();
    for (let i = 0; i < nI; i++) if (counts[i] === 0) {
      b[i] = 0;
      Q.fill(0, i * k, (i + 1) * k);
    }
    this.P = P;
    this.Q = Q;
    this.b = b;
  }

  protected scoreVector(pu: Float32Array, out: Float32Array): void {
    const k = this.config.factors;
    const Q = this.Q;
    for (let i = 0; i < out.length; i++) {
      let s = this.b[i]!;
      const o = i * k;
      for (let f = 0; f < k; f++) s += pu[f]! * Q[o + f]!;
      out[i] = s;
    }
  }
  protected scoreUser(u: number, out: Float32Array): void {
    const k = this.config.factors;
    this.scoreVector(this.P.subarray(u * k, (u + 1) * k), out);
  }
  /** Fold-in: the weighted mean of the profile items' factors stands in for the user vector. */
  protected foldIn(p: UserProfile): Float32Array {
    const k = this.config.factors;
    const v = new Float32Array(k);
    let tot = 0;
    p.itemIdxs.forEach((i, t) => {
      if (i < 0 || i >= this.b.length) return;
      const w = p.weights?.[t] ?? 1;
      tot += w;
      for (let f = 0; f < k; f++) v[f]! += w * this.Q[i * k + f]!;
    });
    if (tot > 0) for (let f = 0; f < k; f++) v[f]! /= tot;
    return v;
  }
  protected override scoreProfile(p: UserProfile, out: Float32Array): void {
    this.scoreVector(this.foldIn(p), out);
  }

  /** The history item whose factors are closest (cosine) to item i's. */
  override explain(user: UserRef, itemIdx: number): Explanation | undefined {
    const k = this.config.factors;
    const items = typeof user === 'number' ? (user >= 0 ? [...this.data.userItems(user)] : []) : user.itemIdxs;
    const cos = (a: number, c: number) => {
      let d = 0, na = 0, nc = 0;
      for (let f = 0; f < k; f++) {
        d += this.Q[a * k + f]! * this.Q[c * k + f]!;
        na += this.Q[a * k + f]! ** 2;
        nc += this.Q[c * k + f]! ** 2;
      }
      return na > 0 && nc > 0 ? d / Math.sqrt(na * nc) : 0;
    };
    let best: Explanation | undefined;
    for (const j of items) {
      const s = cos(j, itemIdx);
      if (s > 0 && (!best || s > best.strength)) best = { kind: 'factor', itemIdx: j, strength: s };
    }
    return best;
  }

  protected exportState(): { arrays: ModelArrays } {
    return { arrays: { P: this.P, Q: this.Q, b: this.b } };
  }
  protected importState(a: ModelArrays): void {
    this.P = a.P as Float32Array;
    this.Q = a.Q as Float32Array;
    this.b = a.b as Float32Array;
  }
}
