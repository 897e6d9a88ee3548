/**
 * Training of the type-aware compatibility model with tfjs (wasm backend).
 *
 * Each step samples B training outfits; per outfit one item is blanked and scored against NEG random
 * items of the same type, given the remaining items (softmax cross-entropy over [answer, negatives]:
 * exactly the fill-in-the-blank task). A validation split of outfits drives early stopping (FITB
 * accuracy) and the Platt calibration of outfit scores.
 */
import { getTf, type Tf } from '../../backends/tf.ts';
import { LookbookError } from '../../errors.ts';
import type { Outfit } from '../../types.ts';
import { ItemTable, makeRng, shuffleInPlace, type CompatItems } from './data.ts';
import { CompatibilityModel, MODEL_CLASS, type CompatMeta, type Embedded } from './model.ts';
import { makeFitbQuestions, makeSwappedOutfits, plattFit, rocAuc, type FitbQuestion } from './protocol.ts';

export interface FitOptions {
  dim?: number;
  maxSteps?: number;
  batchSize?: number;
  negatives?: number;
  maxContext?: number;
  learningRate?: number;
  weightDecay?: number;
  evalEvery?: number;
  patience?: number;
  valFraction?: number;
  seed?: number;
  backbone?: string;
  categoryColumn?: string;
  vectorDim?: number;
  histLen?: number;
  histogramWeight?: number;
  onProgress?: (e: { step: number; loss: number; valFitb?: number; best?: number }) => void;
}

const DEFAULTS = {
  dim: 128, maxSteps: 1200, batchSize: 64, negatives: 3, maxContext: 8, learningRate: 2e-3,
  weightDecay: 1e-5, evalEvery: 50, patience: 5, valFraction: 0.1, seed: 7,
};

export interface FitResult {
  model: CompatibilityModel;
  steps: number;
  seconds: number;
}

/** FITB accuracy of embedded rows (ties broken against the model). */
export function fitbAccuracy(model: CompatibilityModel, E: Embedded, qs: FitbQuestion[]): number {
  let correct = 0;
  for (const q of qs) {
    const scores = q.candidates.map((c) => q.context.reduce((s, r) => s + model.pair(E, r, E, c), 0));
    const best = Math.max(...scores);
    const winners = scores.filter((s) => s === best).length;
    if (scores[q.answerIndex] === best && winners === 1) correct++;
  }
  return qs.length ? correct / qs.length : 0;
}

/** Category-combination templates of outfits, most frequent first. */
export function categoryTemplates(table: ItemTable, outfits: number[][], limit = 300): { categories: string[]; count: number }[] {
  const counts = new Map<string, number>();
  for (const rows of outfits) {
    const cats = [...new Set(rows.map((r) => table.category(r)).filter((c): c is string => c != null))].sort();
    if (cats.length < 2) continue;
    const key = JSON.stringify(cats);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, count]) => ({ categories: JSON.parse(k) as string[], count }));
}

export async function fitCompatibility(items: CompatItems, outfits: Outfit[], options: FitOptions = {}): Promise<FitResult> {
  const o = { ...DEFAULTS, ...options };
  const t0 = performance.now();
  const tf = await getTf();
  const table = new ItemTable(items);
  const rng = makeRng(o.seed);
  const all = outfits.map((x) => ({ id: x.id, rows: table.rowsOf(x) })).filter((x) => x.rows.length >= 2);
  if (all.length < 10) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `need at least 10 outfits with 2+ known items to train, got ${all.length}`);
  shuffleInPlace(all, rng);
  const nVal = Math.max(5, Math.round(all.length * o.valFraction));
  const val = all.slice(0, nVal);
  const train = all.slice(nVal);
  const categories = [...table.pools.keys()].sort();
  const K1 = categories.length + 1;
  const catIdx = new Map(categories.map((c, i) => [c, i]));
  const ci = (r: number) => catIdx.get(table.category(r) ?? '') ?? categories.length;
  const valQs = makeFitbQuestions(table, val, makeRng(o.seed + 1));
  // Blanks must have same-type negatives to learn from.
  const trainable = train.filter((x) => x.rows.some((r) => (table.pools.get(table.category(r) ?? '')?.length ?? 0) > x.rows.length));

  const inDim = items.dim;
  const D = o.dim;
  const W0 = new Float32Array(inDim * D);
  const std = 1 / Math.sqrt(inDim);
  for (let i = 0; i < W0.length; i++) W0[i] = gauss(rng) * std;
  const X = tf.tensor2d(items.vectors, [items.ids.length, inDim]);
  const W = tf.variable(tf.tensor2d(W0, [inDim, D]));
  const v = tf.variable(tf.zeros([inDim, 1]));
  const c = tf.variable(tf.scalar(0));
  const maskInit = Math.log(Math.exp(2) - 1); // softplus⁻¹(2)
  const Mraw = tf.variable(tf.fill([K1 * K1, D], maskInit));
  const opt = tf.train.adam(o.learningRate);

  const snapshot = (): CompatibilityModel => {
    const masks = tf.tidy(() => tf.softplus(Mraw).dataSync() as Float32Array).slice();
    symmetrise(masks, K1, D);
    fillUnknownMasks(masks, K1, D);
    const meta = buildMeta(o, inDim, D, categories, {}, { a: 1, b: 0 }, []);
    return new CompatibilityModel(meta, {
      W: (W.dataSync() as Float32Array).slice(), v: (v.dataSync() as Float32Array).slice(), c: c.dataSync()[0], masks,
    });
  };
  const embedRows = (model: CompatibilityModel, rows: number[]): { E: Embedded; at: Map<number, number> } => {
    const uniq = [...new Set(rows)];
    const at = new Map(uniq.map((r, i) => [r, i]));
    const [f, b] = tf.tidy(() => {
      const x = tf.gather(X, tf.tensor1d(uniq, 'int32'));
      const h = tf.matMul(x, W);
      const fn = tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12));
      return [fn.dataSync() as Float32Array, tf.add(tf.matMul(x, v), c).dataSync() as Float32Array];
    });
    return { E: { f: f.slice(), b: b.slice(), cat: Int32Array.from(uniq, (r) => model.categoryIndex(table.category(r))) }, at };
  };
  const remap = (qs: FitbQuestion[], at: Map<number, number>) =>
    qs.map((q) => ({ ...q, context: q.context.map((r) => at.get(r)!), candidates: q.candidates.map((r) => at.get(r)!) }));
  const valRows = [...new Set(valQs.flatMap((q) => [...q.context, ...q.candidates]))];

  const B = o.batchSize, L = o.maxContext, C = 1 + o.negatives;
  let best = -1, bestModel: CompatibilityModel | undefined, bad = 0, step = 0;
  for (step = 1; step <= o.maxSteps; step++) {
    const ctxIdx = new Int32Array(B * L), ctxMask = new Float32Array(B * L), pairIdx = new Int32Array(B * L);
    const candIdx = new Int32Array(B * C), count = new Float32Array(B);
    for (let bi = 0; bi < B; bi++) {
      const ot = trainable[Math.floor(rng() * trainable.length)];
      const eligible = ot.rows.filter((r) => (table.pools.get(table.category(r) ?? '')?.length ?? 0) > ot.rows.length);
      const ans = eligible[Math.floor(rng() * eligible.length)];
      const negs = table.sampleSameCategory(table.category(ans), o.negatives, new Set(ot.rows), rng);
      while (negs.length < o.negatives) negs.push(negs[0] ?? ans);
      const ctx = shuffleInPlace(ot.rows.filter((r) => r !== ans), rng).slice(0, L);
      const ca = ci(ans);
      ctx.forEach((r, k) => {
        ctxIdx[bi * L + k] = r;
        ctxMask[bi * L + k] = 1;
        const cr = ci(r);
        pairIdx[bi * L + k] = Math.min(ca, cr) * K1 + Math.max(ca, cr);
      });
      count[bi] = ctx.length;
      candIdx[bi * C] = ans;
      negs.forEach((r, k) => (candIdx[bi * C + 1 + k] = r));
    }
    const lossT = opt.minimize(() => {
      const project = (idx: Int32Array, n: number) => {
        const h = tf.matMul(tf.gather(X, tf.tensor1d(idx, 'int32')), W);
        return tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12)).reshape([B, n, D]);
      };
      const fCtx = project(ctxIdx, L);
      const fCand = project(candIdx, C);
      const bCand = tf.add(tf.matMul(tf.gather(X, tf.tensor1d(candIdx, 'int32')), v), c).reshape([B, C]);
      // one-hot × matrix instead of gather: the gradient of gather (UnsortedSegmentSum) is missing on wasm
      const m = tf.softplus(tf.matMul(tf.oneHot(tf.tensor1d(pairIdx, 'int32'), K1 * K1), Mraw)).reshape([B, 1, L, D]);
      const diff = tf.mul(tf.sub(fCtx.expandDims(1), fCand.expandDims(2)), m); // [B,C,L,D]
      const d2 = tf.sum(tf.square(diff), -1); // [B,C,L]
      const meanD = tf.div(tf.sum(tf.mul(d2, tf.tensor3d(ctxMask, [B, 1, L])), -1), tf.tensor2d(count, [B, 1]));
      const logits = tf.add(tf.neg(meanD), bCand);
      const labels = tf.oneHot(tf.zeros([B], 'int32'), C);
      const ce = tf.losses.softmaxCrossEntropy(labels, logits);
      return tf.add(ce, tf.mul(o.weightDecay, tf.sum(tf.square(W)))) as import('@tensorflow/tfjs').Scalar;
    }, true);
    const loss = lossT ? lossT.dataSync()[0] : NaN;
    lossT?.dispose();
    if (step % o.evalEvery === 0 || step === o.maxSteps) {
      const model = snapshot();
      const { E, at } = embedRows(model, valRows);
      const acc = fitbAccuracy(model, E, remap(valQs, at));
      if (acc > best) {
        best = acc;
        bestModel = model;
        bad = 0;
      } else bad++;
      o.onProgress?.({ step, loss, valFitb: acc, best });
      if (bad >= o.patience) break;
    } else if (step % 10 === 0) o.onProgress?.({ step, loss });
  }
  const chosen = bestModel ?? snapshot();
  // Calibration + validation metrics with the chosen weights (pure JS inference).
  const crng = makeRng(o.seed + 2);
  const negs = makeSwappedOutfits(table, val, crng, 'all');
  const need = [...new Set([...val, ...negs].flatMap((x) => x.rows))];
  const E = chosen.embed(gatherRows(table, need), need.map((r) => table.category(r)));
  const at = new Map(need.map((r, i) => [r, i]));
  const rawOf = (rows: number[]) => chosen.rawOutfit(E, rows.map((r) => at.get(r)!));
  const pos = val.map((x) => rawOf(x.rows));
  const neg = negs.map((x) => rawOf(x.rows));
  const calibration = plattFit(pos, neg);
  const metrics = {
    valFitb: best, valAuc: rocAuc(pos, neg), trainOutfits: train.length, valOutfits: val.length, valQuestions: valQs.length, steps: Math.min(step, o.maxSteps),
  };
  const templates = categoryTemplates(table, train.map((x) => x.rows));
  const model = new CompatibilityModel(buildMeta(o, inDim, D, categories, metrics, calibration, templates), chosen.weights);
  tf.dispose([X, W, v, c, Mraw]);
  opt.dispose();
  return { model, steps: metrics.steps, seconds: (performance.now() - t0) / 1000 };
}

function buildMeta(
  o: typeof DEFAULTS & FitOptions, inDim: number, D: number, categories: string[], metrics: Record<string, number>,
  calibration: { a: number; b: number }, templates: { categories: string[]; count: number }[],
): CompatMeta {
  const { onProgress: _p, ...opts } = o;
  return {
    class: MODEL_CLASS, formatVersion: 1, inputDim: inDim, dim: D, categories,
    backbone: o.backbone ?? 'unknown', categoryColumn: o.categoryColumn ?? 'category',
    vectorDim: o.vectorDim ?? inDim, histLen: o.histLen ?? 0, histogramWeight: o.histogramWeight ?? 0,
    calibration, templates, metrics, options: opts, trainedAt: new Date().toISOString(),
  };
}

function gatherRows(table: ItemTable, rows: number[]): Float32Array {
  const d = table.items.dim;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(table.row(r), i * d));
  return out;
}

function symmetrise(masks: Float32Array, K1: number, D: number): void {
  for (let a = 0; a < K1; a++) for (let b = a + 1; b < K1; b++) masks.copyWithin((b * K1 + a) * D, (a * K1 + b) * D, (a * K1 + b + 1) * D);
}

/** Pairs involving the unknown type (index K1−1) get the mean of the trained masks. */
function fillUnknownMasks(masks: Float32Array, K1: number, D: number): void {
  const mean = new Float32Array(D);
  let n = 0;
  for (let a = 0; a < K1 - 1; a++) for (let b = a; b < K1 - 1; b++) {
    for (let d = 0; d < D; d++) mean[d] += masks[(a * K1 + b) * D + d];
    n++;
  }
  for (let d = 0; d < D; d++) mean[d] /= Math.max(1, n);
  const u = K1 - 1;
  for (let a = 0; a < K1; a++) {
    masks.set(mean, (a * K1 + u) * D);
    masks.set(mean, (u * K1 + a) * D);
  }
}

function gauss(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export type { Tf };
