/**
 * Type-aware outfit compatibility (after Vasileva et al., ECCV 2018), inference side.
 *
 *   f(x)        = normalise(x · W)                      shared D-dim projection of an item's input
 *   b(x)        = x · v + c                             how readily an item goes with others
 *   s(i, j)     = −‖(f_i − f_j) ⊙ m[type_i, type_j]‖² + b_i + b_j   pairwise compatibility
 *   outfit(raw) = mean over pairs of s;  score = sigmoid(a · raw + β)   (Platt, fitted on validation)
 *
 * m is a learned non-negative mask per unordered pair of item types. Training lives in train.ts.
 * Inference is plain JS (no tfjs needed): projecting one 1.8k-d vector is ~0.2 MFLOP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LookbookError } from '../../errors.ts';

export const MODEL_CLASS = 'TypeAwareCompatibility';

export interface ModelItem {
  id: string;
  category: string | null;
  /** Model input (see featureInput in data.ts): CNN vector + scaled histogram. */
  vector: Float32Array;
}

export interface CompatMeta {
  class: typeof MODEL_CLASS;
  formatVersion: 1;
  inputDim: number;
  dim: number;
  /** Known item types; index categories.length is "unknown type". */
  categories: string[];
  backbone: string;
  categoryColumn: string;
  vectorDim: number;
  histLen: number;
  histogramWeight: number;
  calibration: { a: number; b: number };
  /** Frequent type combinations of training outfits (for complete-the-look), most common first. */
  templates: { categories: string[]; count: number }[];
  metrics: Record<string, number>;
  options: Record<string, unknown>;
  trainedAt: string;
}

export interface CompatWeights {
  /** inputDim × dim, row-major */
  W: Float32Array;
  /** inputDim */
  v: Float32Array;
  c: number;
  /** (K+1)² × dim non-negative masks, symmetric in the two types (K = categories.length). */
  masks: Float32Array;
}

export interface Embedded {
  /** n × dim unit vectors */
  f: Float32Array;
  b: Float32Array;
  cat: Int32Array;
}

export interface OutfitScore {
  /** Calibrated 0..1 (probability-like that the outfit is stylist-made rather than random). */
  score: number;
  /** Mean pairwise compatibility before calibration. */
  raw: number;
  weakestPair: { a: string; b: string; score: number } | null;
  pairs: { a: string; b: string; score: number }[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export class CompatibilityModel {
  private readonly catIndex = new Map<string, number>();
  constructor(
    readonly meta: CompatMeta,
    readonly weights: CompatWeights,
  ) {
    meta.categories.forEach((c, i) => this.catIndex.set(c, i));
    const { inputDim, dim } = meta;
    const K1 = meta.categories.length + 1;
    if (weights.W.length !== inputDim * dim || weights.v.length !== inputDim || weights.masks.length !== K1 * K1 * dim) {
      throw new LookbookError('LB_ERR_MODEL_FORMAT', 'compatibility weights do not match meta.json');
    }
  }

  get categories(): string[] {
    return this.meta.categories;
  }

  categoryIndex(c: string | null): number {
    return (c != null ? this.catIndex.get(c) : undefined) ?? this.meta.categories.length;
  }

  /** Projects n input rows (n × inputDim) into the compatibility space. */
  embed(vectors: Float32Array, categories: (string | null)[]): Embedded {
    const { inputDim, dim } = this.meta;
    const n = categories.length;
    if (vectors.length !== n * inputDim) {
      throw new LookbookError('LB_ERR_DIMENSION', `compatibility model expects ${inputDim}-d inputs, got ${vectors.length / Math.max(1, n)}`);
    }
    const { W, v, c } = this.weights;
    const f = new Float32Array(n * dim);
    const b = new Float32Array(n);
    const cat = new Int32Array(n);
    const acc = new Float64Array(dim);
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      let bias = c;
      const off = r * inputDim;
      for (let k = 0; k < inputDim; k++) {
        const x = vectors[off + k];
        if (x === 0) continue;
        bias += x * v[k];
        const w = k * dim;
        for (let d = 0; d < dim; d++) acc[d] += x * W[w + d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += acc[d] * acc[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dim; d++) f[r * dim + d] = acc[d] / norm;
      b[r] = bias;
      cat[r] = this.categoryIndex(categories[r]);
    }
    return { f, b, cat };
  }

  embedItems(items: ModelItem[]): Embedded {
    const { inputDim } = this.meta;
    const buf = new Float32Array(items.length * inputDim);
    items.forEach((it, i) => {
      if (it.vector.length !== inputDim) {
        throw new LookbookError('LB_ERR_DIMENSION', `item ${it.id}: input has ${it.vector.length} values, the model expects ${inputDim}`, { subject: it.id });
      }
      buf.set(it.vector, i * inputDim);
    });
    return this.embed(buf, items.map((it) => it.category));
  }

  /** Pairwise compatibility s(i, j) between rows of two embedded sets (higher = goes together). */
  pair(A: Embedded, i: number, B: Embedded, j: number): number {
    const { dim } = this.meta;
    const K1 = this.meta.categories.length + 1;
    const ci = A.cat[i];
    const cj = B.cat[j];
    const m = (Math.min(ci, cj) * K1 + Math.max(ci, cj)) * dim;
    const masks = this.weights.masks;
    let d2 = 0;
    const oa = i * dim;
    const ob = j * dim;
    for (let d = 0; d < dim; d++) {
      const t = (A.f[oa + d] - B.f[ob + d]) * masks[m + d];
      d2 += t * t;
    }
    return -d2 + A.b[i] + B.b[j];
  }

  /** Compatibility of each requested pair (indices into items). */
  scorePairs(items: ModelItem[], pairs?: [number, number][]): { a: string; b: string; score: number }[] {
    const E = this.embedItems(items);
    const ps = pairs ?? allPairs(items.length);
    return ps.map(([i, j]) => ({ a: items[i].id, b: items[j].id, score: this.pair(E, i, E, j) }));
  }

  calibrate(raw: number): number {
    const { a, b } = this.meta.calibration;
    return sigmoid(a * raw + b);
  }

  /** Raw outfit score of embedded rows: mean pairwise compatibility. */
  rawOutfit(E: Embedded, rows: number[]): number {
    let s = 0;
    let n = 0;
    for (let x = 0; x < rows.length; x++) {
      for (let y = x + 1; y < rows.length; y++) {
        s += this.pair(E, rows[x], E, rows[y]);
        n++;
      }
    }
    return n ? s / n : 0;
  }

  scoreOutfit(items: ModelItem[]): OutfitScore {
    if (items.length < 2) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'an outfit needs at least 2 items to be scored');
    const pairs = this.scorePairs(items);
    const raw = pairs.reduce((s, p) => s + p.score, 0) / pairs.length;
    const weakest = pairs.reduce((w, p) => (p.score < w.score ? p : w), pairs[0]);
    return { score: this.calibrate(raw), raw, weakestPair: weakest, pairs };
  }

  /** Writes weights.bin (float32: W, v, c, masks) and meta.json into dir. Returns dir. */
  save(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const { W, v, c, masks } = this.weights;
    const all = new Float32Array(W.length + v.length + 1 + masks.length);
    all.set(W, 0);
    all.set(v, W.length);
    all[W.length + v.length] = c;
    all.set(masks, W.length + v.length + 1);
    const tmp = path.join(dir, `.weights.bin.${process.pid}`);
    fs.writeFileSync(tmp, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
    fs.renameSync(tmp, path.join(dir, 'weights.bin'));
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(this.meta, null, 2));
    return dir;
  }

  static load(dir: string): CompatibilityModel {
    let meta: CompatMeta;
    let buf: Buffer;
    try {
      meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as CompatMeta;
      buf = fs.readFileSync(path.join(dir, 'weights.bin'));
    } catch (e) {
      throw new LookbookError('LB_ERR_MODEL_FORMAT', `cannot read compatibility model in ${dir}`, { cause: e, subject: dir });
    }
    if (meta.class !== MODEL_CLASS) throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir} holds a ${meta.class}, not a ${MODEL_CLASS}`, { subject: dir });
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const { inputDim, dim } = meta;
    const K1 = meta.categories.length + 1;
    const expected = inputDim * dim + inputDim + 1 + K1 * K1 * dim;
    if (all.length !== expected) throw new LookbookError('LB_ERR_MODEL_FORMAT', `weights.bin has ${all.length} values, expected ${expected}`, { subject: dir });
    const W = all.slice(0, inputDim * dim);
    const v = all.slice(inputDim * dim, inputDim * dim + inputDim);
    const c = all[inputDim * dim + inputDim];
    const masks = all.slice(inputDim * dim + inputDim + 1);
    return new CompatibilityModel(meta, { W, v, c, masks });
  }

  /** Nothing native is held (inference is plain JS); present for the common model interface. */
  dispose(): void {}
}

export function allPairs(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}
