/**
 * Base class of every personalization model (after cornac's Recommender). A model implements
 * `scoreUser` (all items for a known user) and optionally `scoreProfile` (a new user described by
 * items); the base class derives `score`, `rank` and `recommend`, handles unknown users/items with
 * `defaultScore()`, and saves/loads weights + `meta.json` naming the class. MODELS maps names to
 * classes (lazily imported, so model files may import this one).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { LookbookError } from '../errors.ts';
import { InteractionData } from '../events/interactions.ts';

/** A user the model never saw, described by items (liked, bought…) with optional weights. */
export interface UserProfile {
  itemIdxs: number[];
  weights?: number[];
}
/** A known user index, or a profile. Index -1 = unknown user (default scores). */
export type UserRef = number | UserProfile;

/** Why an item was recommended (turned into readable text by the pipeline). */
export interface Explanation {
  kind: 'visual' | 'co-occurrence' | 'factor' | 'popular';
  /** The history item the recommendation comes from, when there is one. */
  itemIdx?: number;
  strength: number;
}

/** Per-item CNN features (e.g. store.allItemVectors(backbone)); row i = ids[i]. */
export interface ItemFeatures {
  ids: string[];
  dim: number;
  vectors: Float32Array;
}

export interface FitOptions {
  seed?: number;
  /** Item features, for visual models (VBPR); ignored by the others. */
  itemFeatures?: ItemFeatures;
  verbose?: boolean;
  /** Per-epoch progress for iterative models. */
  onEpoch?: (e: { model: string; epoch: number; epochs: number; loss: number }) => void;
}

export interface RankOptions {
  k?: number;
  /** Candidate item indices (default: every item). */
  itemIdxs?: ArrayLike<number>;
  /** Item indices never returned. */
  exclude?: Set<number>;
}

export interface Ranked {
  idx: number;
  score: number;
}

type TypedArray = Float32Array | Float64Array | Int32Array;
export type ModelArrays = Record<string, TypedArray>;

export interface ModelMeta {
  class: string;
  model: string;
  format: 1;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  arrays: { name: string; type: 'f32' | 'f64' | 'i32'; offset: number; length: number }[];
  savedAt: string;
}

export interface RecommenderClass {
  readonly modelName: string;
  new (config?: any): Recommender;
}

/** Registry: model name → class (imported on demand). One line per model. */
export const MODELS: Record<string, () => Promise<RecommenderClass>> = {
  popularity: async () => (await import('./popularity/model.ts')).PopularityRecommender,
  'item-knn': async () => (await import('./item-knn/model.ts')).ItemKnnRecommender,
  bpr: async () => (await import('./bpr/model.ts')).BprRecommender,
  vbpr: async () => (await import('./vbpr/model.ts')).VbprRecommender,
  hybrid: async () => (await import('./hybrid/model.ts')).HybridRecommender,
};

/** Instantiates a registered model by name. */
export async function createRecommender(name: string, config?: Record<string, unknown>): Promise<Recommender> {
  const loader = MODELS[name];
  if (!loader) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unknown recommender "${name}" (known: ${Object.keys(MODELS).join(', ')})`);
  const Cls = await loader();
  return new Cls(config);
}

export abstract class Recommender {
  /** Training interactions (ids, index maps, seen items). Set by fit or load. */
  protected train?: InteractionData;

  constructor(readonly config: Record<string, unknown> = {}) {}

  /** Registry name of the model class. */
  get modelName(): string {
    return (this.constructor as unknown as RecommenderClass).modelName;
  }

  get data(): InteractionData {
    if (!this.train) throw new LookbookError('LB_ERR_MODEL_MISSING', `${this.modelName} is not trained`);
    return this.train;
  }
  get isFitted(): boolean {
    return this.train !== undefined;
  }
  get itemIds(): string[] {
    return this.data.itemIds;
  }

  async fit(train: InteractionData, opts: FitOptions = {}): Promise<this> {
    if (train.nItems === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'no items to train on');
    this.train = train;
    await this.fitModel(train, opts);
    return this;
  }

  protected abstract fitModel(train: InteractionData, opts: FitOptions): Promise<void> | void;
  /** Scores of every item for known user u, written into out (length nItems). */
  protected abstract scoreUser(u: number, out: Float32Array): void;
  /** Scores of every item for a profile; default: a model without fold-in returns defaultScore. */
  protected scoreProfile(_p: UserProfile, out: Float32Array): void {
    out.fill(this.defaultScore());
  }
  /** Score for unknown users or items (cornac's default_score). */
  defaultScore(): number {
    return 0;
  }
  /** Why item i suits the user (undefined when the model cannot say). */
  explain(_user: UserRef, _itemIdx: number): Explanation | undefined {
    return undefined;
  }

  /** Scores of all items (or of itemIdxs, in that order; out-of-range indices get defaultScore). */
  score(user: UserRef, itemIdxs?: ArrayLike<number>): Float32Array {
    const n = this.data.nItems;
    const all = new Float32Array(n);
    if (typeof user === 'number') {
      if (user >= 0 && user < this.data.nUsers) this.scoreUser(user, all);
      else all.fill(this.defaultScore());
    } else this.scoreProfile(user, all);
    if (!itemIdxs) return all;
    const out = new Float32Array(itemIdxs.length);
    const d = this.defaultScore();
    for (let j = 0; j < itemIdxs.length; j++) {
      const i = itemIdxs[j]!;
      out[j] = i >= 0 && i < n ? all[i]! : d;
    }
    return out;
  }

  /** Best k items by score, highest first. */
  rank(user: UserRef, opts: RankOptions = {}): Ranked[] {
    const scores = this.score(user);
    return topK(scores, opts.k ?? 10, opts.itemIdxs, opts.exclude);
  }

  /** Top-k item ids for a known user id; unknown users get default scores (use a profile instead). */
  recommend(userId: string, k = 10, opts: { removeSeen?: boolean; allowedItems?: string[] } = {}): { itemId: string; score: number }[] {
    const d = this.data;
    const u = d.userIndex.get(userId) ?? -1;
    const exclude = new Set<number>();
    if ((opts.removeSeen ?? true) && u >= 0) for (const i of d.userItems(u)) exclude.add(i);
    let cands: number[] | undefined;
    if (opts.allowedItems) cands = opts.allowedItems.map((id) => d.itemIndex.get(id)).filter((i): i is number => i !== undefined);
    return this.rank(u, { k, itemIdxs: cands, exclude }).map((r) => ({ itemId: d.itemIds[r.idx]!, score: r.score }));
  }

  /** Resolves item ids to a profile (unknown ids are skipped). */
  profileOf(itemIds: string[], weights?: number[]): UserProfile {
    const itemIdxs: number[] = [];
    const ws: number[] = [];
    itemIds.forEach((id, j) => {
      const i = this.data.itemIndex.get(id);
      if (i !== undefined) {
        itemIdxs.push(i);
        ws.push(weights?.[j] ?? 1);
      }
    });
    return { itemIdxs, weights: ws };
  }

  // --- persistence ------------------------------------------------------------------------
  /** Model-specific arrays and JSON state to save. */
  protected abstract exportState(): { arrays: ModelArrays; state?: Record<string, unknown> };
  protected abstract importState(arrays: ModelArrays, state: Record<string, unknown>): void;
  /** Hook for composite models (the hybrid saves its components in sub-folders). */
  protected async saveExtra(_dir: string): Promise<void> {}
  protected async loadExtra(_dir: string): Promise<void> {}

  /** Writes meta.json, ids.json and weights.bin into dir; returns dir. */
  async save(dir: string): Promise<string> {
    const d = this.data;
    await fs.mkdir(dir, { recursive: true });
    const { arrays, state = {} } = this.exportState();
    const all: ModelArrays = { 'train.indptr': d.indptr, 'train.indices': d.indices, 'train.values': d.values, 'train.times': d.times, ...arrays };
    const manifest: ModelMeta['arrays'] = [];
    let offset = 0;
    const parts: Buffer[] = [];
    for (const [name, arr] of Object.entries(all)) {
      const type = arr instanceof Float32Array ? 'f32' : arr instanceof Float64Array ? 'f64' : 'i32';
      const buf = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
      manifest.push({ name, type, offset, length: arr.length });
      parts.push(buf);
      offset += buf.byteLength;
    }
    const meta: ModelMeta = {
      class: this.constructor.name,
      model: this.modelName,
      format: 1,
      config: this.config,
      state,
      arrays: manifest,
      savedAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.concat(parts));
    await fs.writeFile(path.join(dir, 'ids.json'), JSON.stringify({ users: d.userIds, items: d.itemIds }));
    await fs.writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
    await this.saveExtra(dir);
    return dir;
  }

  /** Loads any registered model from a directory written by save(). */
  static async load(dir: string): Promise<Recommender> {
    let meta: ModelMeta;
    let ids: { users: string[]; items: string[] };
    let bin: Buffer;
    try {
      meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
      ids = JSON.parse(await fs.readFile(path.join(dir, 'ids.json'), 'utf8')) as typeof ids;
      bin = await fs.readFile(path.join(dir, 'weights.bin'));
    } catch (e) {
      throw new LookbookError('LB_ERR_MODEL_FORMAT', `cannot read model in ${dir}`, { cause: e, subject: dir });
    }
    const loader = MODELS[meta.model];
    if (!loader) throw new LookbookError('LB_ERR_MODEL_FORMAT', `unknown model "${meta.model}" in ${dir}`, { subject: dir });
    const Cls = await loader();
    const model = new Cls(meta.config);
    const arrays: ModelArrays = {};
    for (const a of meta.arrays) {
      const bytes = bin.subarray(a.offset, a.offset + a.length * (a.type === 'f64' ? 8 : 4));
      const copy = new Uint8Array(bytes).buffer; // aligned copy
      arrays[a.name] = a.type === 'f32' ? new Float32Array(copy) : a.type === 'f64' ? new Float64Array(copy) : new Int32Array(copy);
      if (arrays[a.name]!.length !== a.length) throw new LookbookError('LB_ERR_MODEL_FORMAT', `truncated array ${a.name} in ${dir}`, { subject: dir });
    }
    model.train = new InteractionData(
      ids.users,
      ids.items,
      arrays['train.indptr'] as Int32Array,
      arrays['train.indices'] as Int32Array,
      arrays['train.values'] as Float32Array,
      arrays['train.times'] as Float64Array,
    );
    model.importState(arrays, meta.state);
    await model.loadExtra(dir);
    return model;
  }
}

/** Indices of the k highest scores (ties: lower index first), optionally within candidates. */
export function topK(scores: ArrayLike<number>, k: number, candidates?: ArrayLike<number>, exclude?: Set<number>): Ranked[] {
  const heapIdx: number[] = [];
  const heapScore: number[] = [];
  // min-heap on (score, -idx): the root is the current worst kept
  const worse = (a: number, b: number) => heapScore[a]! < heapScore[b]! || (heapScore[a] === heapScore[b] && heapIdx[a]! > heapIdx[b]!);
  const swap = (a: number, b: number) => {
    [heapIdx[a], heapIdx[b]] = [heapIdx[b]!, heapIdx[a]!];
    [heapScore[a], heapScore[b]] = [heapScore[b]!, heapScore[a]!];
  };
  const down = (p: number) => {
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < heapIdx.length && worse(l, m)) m = l;
      if (r < heapIdx.length && worse(r, m)) m = r;
      if (m === p) return;
      swap(p, m);
      p = m;
    }
  };
  const n = candidates ? candidates.length : scores.length;
  for (let j = 0; j < n; j++) {
    const i = candidates ? candidates[j]! : j;
    if (exclude?.has(i)) continue;
    const s = scores[i]!;
    if (Number.isNaN(s)) continue;
    if (heapIdx.length < k) {
      heapIdx.push(i);
      heapScore.push(s);
      let c = heapIdx.length - 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (k > 0 && (s > heapScore[0]! || (s === heapScore[0] && i < heapIdx[0]!))) {
      heapIdx[0] = i;
      heapScore[0] = s;
      down(0);
    }
  }
  const out = heapIdx.map((idx, j) => ({ idx, score: heapScore[j]! }));
  return out.sort((a, b) => b.score - a.score || a.idx - b.idx);
}

/** Seeded PRNG (mulberry32) for reproducible training. */
export { mulberry32 as rng } from '../util/random.ts';
