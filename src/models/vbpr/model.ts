/**
 * VBPR (He & McAuley 2016): score(u,i) = b_i + γ_u·γ_i + θ_u·(E f_i) + β'·f_i, where f_i is the item's
 * CNN feature (projected to a small basis, see project.ts). Items nobody has touched yet have no
 * b_i/γ_i but are still ranked by their visual terms (cold-start items). Plain TypeScript SGD, seeded.
 * Needs `fit(train, { itemFeatures })` (e.g. store.allItemVectors('mobilenet_v2_140')).
 */
import { LookbookError } from '../../errors.ts';
import type { InteractionData } from '../../events/interactions.ts';
import { tripleSampler } from '../bpr/model.ts';
import { Recommender, rng, type Explanation, type FitOptions, type ModelArrays, type UserProfile, type UserRef } from '../recommender.ts';
import { fitProjection, project, type Projection } from './project.ts';

export interface VbprConfig {
  /** Latent (non-visual) factors. */
  factors?: number;
  /** Visual factors (rows of E). */
  visualFactors?: number;
  /** Dimension the CNN features are projected to before E. */
  projectionDim?: number;
  epochs?: number;
  learningRate?: number;
  reg?: number;
  /** Regularisation of E and β'. */
  visualReg?: number;
  seed?: number;
  halfLifeDays?: number;
}

export class VbprRecommender extends Recommender {
  static readonly modelName = 'vbpr';
  declare readonly config: Required<VbprConfig> & Record<string, unknown>;
  private Gu: Float32Array = new Float32Array(0);
  private Gi: Float32Array = new Float32Array(0);
  private Tu: Float32Array = new Float32Array(0);
  private b: Float32Array = new Float32Array(0);
  private E: Float32Array = new Float32Array(0);
  private beta: Float32Array = new Float32Array(0);
  /** Projected features per item (nItems × projectionDim); zero rows = no features. */
  private F: Float32Array = new Float32Array(0);
  /** Visual embedding per item, E f_i (nItems × visualFactors), cached after fit. */
  private VE: Float32Array = new Float32Array(0);
  private proj?: Projection;

  constructor(config: VbprConfig = {}) {
    super({ factors: 32, visualFactors: 32, projectionDim: 64, epochs: 30, learningRate: 0.05, reg: 0.01, visualReg: 0.001, seed: 42, halfLifeDays: 0, ...config });
  }

  protected fitModel(train: InteractionData, opts: FitOptions): void {
    const feats = opts.itemFeatures;
    if (!feats || feats.ids.length === 0) throw new LookbookError('LB_ERR_NO_FEATURES', 'VBPR needs item features (fit(train, { itemFeatures }))');
    const { factors: K, visualFactors: K2, projectionDim: R, epochs, learningRate: lr, reg, visualReg } = this.config;
    const seed = opts.seed ?? this.config.seed;
    const rand = rng(seed);
    const nU = train.nUsers;
    const nI = train.nItems;
    const D = feats.dim;
    // align features to the item index (missing → zero row)
    const X = new Float32Array(nI * D);
    let withFeatures = 0;
    feats.ids.forEach((id, r) => {
      const i = train.itemIndex.get(id);
      if (i === undefined) return;
      X.set(feats.vectors.subarray(r * D, (r + 1) * D), i * D);
      withFeatures++;
    });
    if (withFeatures === 0) throw new LookbookError('LB_ERR_NO_FEATURES', 'no training item has features');
    this.proj = fitProjection(X, nI, D, Math.min(R, D), seed);
    const F = project(this.proj, X, nI);
    const r = this.proj.rank;
    const init = (n: number) => new Float32Array(n).map(() => (rand() - 0.5) * 0.1);
    const Gu = init(nU * K), Gi = init(nI * K), Tu = init(nU * K2), E = init(K2 * r);
    const b = new Float32Array(nI);
    const beta = new Float32Array(r);
    const draw = tripleSampler(train, rand, this.config.halfLifeDays);
    const fd = new Float32Array(r);
    const efd = new Float32Array(K2);
    for (let ep = 0; ep < epochs; ep++) {
      let loss = 0;
      for (let s = 0; s < train.nnz; s++) {
        const t = draw();
        if (!t) continue;
        const [u, i, j] = t;
        for (let c = 0; c < r; c++) fd[c] = F[i * r + c]! - F[j * r + c]!;
        let x = b[i]! - b[j]!;
        for (let f = 0; f < K; f++) x += Gu[u * K + f]! * (Gi[i * K + f]! - Gi[j * K + f]!);
        for (let f = 0; f < K2; f++) {
          let e = 0;
          for (let c = 0; c < r; c++) e += E[f * r + c]! * fd[c]!;
          efd[f] = e;
          x += Tu[u * K2 + f]! * e;
        }
        for (let c = 0; c < r; c++) x += beta[c]! * fd[c]!;
        const z = 1 / (1 + Math.exp(x));
        loss += Math.log1p(Math.exp(-x));
        b[i]! += lr * (z - reg * b[i]!);
        b[j]! += lr * (-z - reg * b[j]!);
        for (let f = 0; f < K; f++) {
          const gu = Gu[u * K + f]!, gi = Gi[i * K + f]!, gj = Gi[j * K + f]!;
          Gu[u * K + f] = gu + lr * (z * (gi - gj) - reg * gu);
          Gi[i * K + f] = gi + lr * (z * gu - reg * gi);
          Gi[j * K + f] = gj + lr * (-z * gu - reg * gj);
        }
        for (let f = 0; f < K2; f++) {
          const tu = Tu[u * K2 + f]!;
          Tu[u * K2 + f] = tu + lr * (z * efd[f]! - reg * tu);
          const g = lr * z * tu;
          for (let c = 0; c < r; c++) E[f * r + c]! += g * fd[c]! - lr * visualReg * E[f * r + c]!;
        }
        for (let c = 0; c < r; c++) beta[c]! += lr * (z * fd[c]! - visualReg * beta[c]!);
      }
      opts.onEpoch?.({ model: this.modelName, epoch: ep + 1, epochs, loss: loss / train.nnz });
    }
    const counts = train.itemCounts();
    for (let i = 0; i < nI; i++) if (counts[i] === 0) {
      b[i] = 0;
      Gi.fill(0, i * K, (i + 1) * K);
    }
    Object.assign(this, { Gu, Gi, Tu, b, E, beta, F });
    this.cacheVisual();
  }

  private cacheVisual(): void {
    const { visualFactors: K2 } = this.config;
    const r = this.beta.length;
    const n = this.b.length;
    this.VE = new Float32Array(n * K2);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < K2; f++) {
        let e = 0;
        for (let c = 0; c < r; c++) e += this.E[f * r + c]! * this.F[i * r + c]!;
        this.VE[i * K2 + f] = e;
      }
    }
  }

  private scoreWith(gu: ArrayLike<number>, tu: ArrayLike<number>, out: Float32Array): void {
    const { factors: K, visualFactors: K2 } = this.config;
    const r = this.beta.length;
    for (let i = 0; i < out.length; i++) {
      let s = this.b[i]!;
      for (let f = 0; f < K; f++) s += gu[f]! * this.Gi[i * K + f]!;
      for (let f = 0; f < K2; f++) s += tu[f]! * this.VE[i * K2 + f]!;
      for (let c = 0; c < r; c++) s += this.beta[c]! * this.F[i * r + c]!;
      out[i] = s;
    }
  }
  protected scoreUser(u: number, out: Float32Array): void {
    const { factors: K, visualFactors: K2 } = this.config;
    this.scoreWith(this.Gu.subarray(u * K, (u + 1) * K), this.Tu.subarray(u * K2, (u + 1) * K2), out);
  }
  /** Fold-in: mean latent and visual item embeddings of the profile, rescaled to a typical user's norm. */
  protected override scoreProfile(p: UserProfile, out: Float32Array): void {
    const { factors: K, visualFactors: K2 } = this.config;
    const mean = (M: Float32Array, k: number, users: Float32Array) => {
      const v = new Float32Array(k);
      p.itemIdxs.forEach((i, t) => {
        if (i < 0 || i >= this.b.length) return;
        for (let f = 0; f < k; f++) v[f]! += (p.weights?.[t] ?? 1) * M[i * k + f]!;
      });
      const norm = Math.hypot(...v);
      let avg = 0;
      const nU = users.length / k;
      for (let u = 0; u < nU; u++) avg += Math.hypot(...users.subarray(u * k, (u + 1) * k)) / nU;
      if (norm > 0) for (let f = 0; f < k; f++) v[f]! *= avg / norm;
      return v;
    };
    this.scoreWith(mean(this.Gi, K, this.Gu), mean(this.VE, K2, this.Tu), out);
  }

  /** The history item that looks most like item i (cosine of projected CNN features). */
  override explain(user: UserRef, itemIdx: number): Explanation | undefined {
    const r = this.beta.length;
    const items = typeof user === 'number' ? (user >= 0 ? [...this.data.userItems(user)] : []) : user.itemIdxs;
    let best: Explanation | undefined;
    for (const j of items) {
      if (j === itemIdx || j < 0 || j >= this.b.length) continue;
      let s = 0;
      for (let c = 0; c < r; c++) s += this.F[j * r + c]! * this.F[itemIdx * r + c]!;
      if (s > 0 && (!best || s > best.strength)) best = { kind: 'visual', itemIdx: j, strength: s };
    }
    return best;
  }

  protected exportState(): { arrays: ModelArrays; state: Record<string, unknown> } {
    const p = this.proj!;
    return {
      arrays: { Gu: this.Gu, Gi: this.Gi, Tu: this.Tu, b: this.b, E: this.E, beta: this.beta, F: this.F, mu: p.mu, V: p.V },
      state: { featureDim: p.dim, rank: p.rank },
    };
  }
  protected importState(a: ModelArrays, state: Record<string, unknown>): void {
    Object.assign(this, { Gu: a.Gu, Gi: a.Gi, Tu: a.Tu, b: a.b, E: a.E, beta: a.beta, F: a.F });
    this.proj = { dim: state.featureDim as number, rank: state.rank as number, mu: a.mu as Float32Array, V: a.V as Float32Array };
    this.cacheVisual();
  }
}
