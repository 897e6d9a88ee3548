/**
 * MetricSpace: a learned projection of frozen CNN embeddings (e.g. 1792 → 256) into a space where
 * cosine similarity follows catalogue labels. Objective: normalised-softmax / proxy-NCA — one learnable
 * proxy per class, loss = cross-entropy of scale · cos(project(x), proxy_c). An optional secondary label
 * (e.g. colour) gets its own proxies and a weighted loss term. Early stopping on validation P@10 of the
 * primary label (validation rows carved from the training rows). project() returns L2-normalised vectors.
 */
import { getTf } from '../../backends/tf.ts';
import { LookbookError } from '../../errors.ts';
import type { ProgressCallback } from '../../logging/index.ts';
import { loadTensors, saveTensors } from '../classifier/persist.ts';
import { gatherRows, glorot, makeRng, shuffleInPlace, stratifiedSplit } from '../classifier/random.ts';
import { retrievalAtK } from './retrieval.ts';
import type { Tensor2D, Variable } from '@tensorflow/tfjs';

export const SPACE_CLASS_NAME = 'MetricSpace';
export const SPACE_FORMAT_VERSION = 1;

export interface MetricSpaceOptions {
  /** Output dimension. Default 256. */
  dim?: number;
  /** Hidden ReLU layer before the projection; 0 = linear projection (default). */
  hidden?: number;
  /** Softmax scale (inverse temperature) on cosine logits. Default 16. */
  scale?: number;
  learningRate?: number;
  batchSize?: number;
  maxEpochs?: number;
  /** Epochs without validation P@10 improvement before stopping. */
  patience?: number;
  valFraction?: number;
  /** Weight of the secondary-label loss. Default 0.3. */
  secondaryWeight?: number;
  seed?: number;
  onProgress?: ProgressCallback;
  task?: string;
}

export interface MetricTrainData {
  /** Row-major n × inputDim, L2-normalised CNN embeddings. */
  x: Float32Array;
  inputDim: number;
  /** Primary class per row (-1 = unlabelled, ignored by the loss). */
  labels: Int32Array;
  classes: string[];
  labelColumn: string;
  /** Optional secondary class per row (-1 = none) and its class names. */
  secondary?: Int32Array;
  secondaryClasses?: string[];
  secondaryColumn?: string;
  backbone: string;
}

export interface MetricSpaceMeta {
  backbone: string;
  inputDim: number;
  dim: number;
  hidden: number;
  labelColumn: string;
  secondaryColumn: string | null;
  classes: string[];
  trainingSize: number;
  metrics: Record<string, number>;
  options: Record<string, unknown>;
  createdAt: number;
  [key: string]: unknown;
}

export class MetricSpace {
  readonly meta: MetricSpaceMeta;
  private readonly w: Map<string, Float32Array>;

  private constructor(meta: MetricSpaceMeta, w: Map<string, Float32Array>) {
    this.meta = meta;
    this.w = w;
  }

  static async fit(data: MetricTrainData, opts: MetricSpaceOptions = {}): Promise<MetricSpace> {
    const t0 = performance.now();
    const tf = await getTf();
    const o = {
      dim: opts.dim ?? 256,
      hidden: opts.hidden ?? 0,
      scale: opts.scale ?? 16,
      learningRate: opts.learningRate ?? 2e-3,
      batchSize: opts.batchSize ?? 512,
      maxEpochs: opts.maxEpochs ?? 30,
      patience: opts.patience ?? 3,
      valFraction: opts.valFraction ?? 0.1,
      secondaryWeight: opts.secondaryWeight ?? 0.3,
      seed: opts.seed ?? 42,
    };
    const task = opts.task ?? `train space ${data.labelColumn}`;
    const progress = opts.onProgress ?? (() => {});
    const d = data.inputDim;
    const n = data.labels.length;
    if (data.x.length !== n * d) throw new LookbookError('LB_ERR_DIMENSION', `expected ${n} × ${d} values, got ${data.x.length}`);
    const c = data.classes.length;
    const c2 = data.secondary && data.secondaryClasses ? data.secondaryClasses.length : 0;
    const rng = makeRng(o.seed);
    const { train, test: val } = stratifiedSplit(data.labels, o.valFraction, o.seed);
    if (train.length < 2 || val.length < 2) throw new LookbookError('LB_ERR_LABEL_COLUMN', `too few labelled rows (${n}) for ${data.labelColumn}`);

    const mean = new Float32Array(d);
    for (const i of train) for (let k = 0; k < d; k++) mean[k]! += data.x[i * d + k]!;
    for (let k = 0; k < d; k++) mean[k]! /= train.length;
    const centred = (rows: ArrayLike<number>) => {
      const m = gatherRows(data.x, d, rows);
      for (let r = 0; r < rows.length; r++) for (let k = 0; k < d; k++) m[r * d + k]! -= mean[k]!;
      return m;
    };

    const vars: Record<string, Variable> = {};
    const first = o.hidden > 0 ? o.hidden : o.dim;
    vars.w1 = tf.variable(tf.tensor2d(glorot(d, first, rng), [d, first]));
    if (o.hidden > 0) {
      vars.b1 = tf.variable(tf.zeros([o.hidden]));
      vars.w2 = tf.variable(tf.tensor2d(glorot(o.hidden, o.dim, rng), [o.hidden, o.dim]));
    }
    const randn = (m: number) => Float32Array.from({ length: m * o.dim }, () => rng() * 2 - 1);
    vars.proxies = tf.variable(tf.tensor2d(randn(c), [c, o.dim]));
    if (c2 > 0) vars.proxies2 = tf.variable(tf.tensor2d(randn(c2), [c2, o.dim]));
    const embed = (x: Tensor2D) => {
      let z = tf.matMul(x, vars.w1!);
      if (vars.w2) z = tf.matMul(tf.relu(tf.add(z, vars.b1!)), vars.w2);
      return tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-8)) as Tensor2D;
    };
    const headLoss = (z: Tensor2D, proxies: Variable, y: Int32Array, classes: number) => {
      const p = tf.div(proxies, tf.add(tf.norm(proxies, 'euclidean', 1, true), 1e-8));
      const logits = tf.mul(o.scale, tf.matMul(z, p, false, true));
      const mask = tf.tensor1d(Float32Array.from(y, (v) => (v >= 0 ? 1 : 0)));
      const oh = tf.oneHot(tf.tensor1d(Int32Array.from(y, (v) => Math.max(0, v)), 'int32'), classes);
      const ce = tf.neg(tf.sum(tf.mul(oh, tf.logSoftmax(logits)), 1));
      return tf.div(tf.sum(tf.mul(ce, mask)), tf.add(tf.sum(mask), 1e-8));
    };
    const optimizer = tf.train.adam(o.learningRate);
    const projectRows = async (rows: number[]) => {
      const xs = tf.tensor2d(centred(rows), [rows.length, d]);
      const z = tf.tidy(() => embed(xs));
      const out = (await z.data()) as Float32Array;
      xs.dispose();
      z.dispose();
      return out;
    };
    const valLabels = Int32Array.from(val, (i) => data.labels[i]!);
    const valRaw = await retrievalAtK(gatherRows(data.x, d, val), d, valLabels, 10);

    progress({ status: 'start', task, total: o.maxEpochs, unit: 'epoch' });
    let best = { p10: -1, epoch: -1, weights: new Map<string, Float32Array>() };
    let lastLoss = NaN;
    let epochs = 0;
    let firstLoss = NaN;
    const order = Int32Array.from(train);
    for (let epoch = 0; epoch < o.maxEpochs; epoch++) {
      shuffleInPlace(order, rng);
      let sum = 0;
      let steps = 0;
      for (let s = 0; s < order.length; s += o.batchSize) {
        const rows = Array.from(order.subarray(s, Math.min(order.length, s + o.batchSize)));
        const xb = centred(rows);
        const yb = Int32Array.from(rows, (i) => data.labels[i]!);
        const yb2 = data.secondary ? Int32Array.from(rows, (i) => data.secondary![i]!) : undefined;
        const lossT = tf.tidy(() =>
          optimizer.minimize(() => {
            const z = embed(tf.tensor2d(xb, [rows.length, d]));
            let loss = headLoss(z, vars.proxies!, yb, c);
            if (yb2 && vars.proxies2) loss = tf.add(loss, tf.mul(o.secondaryWeight, headLoss(z, vars.proxies2, yb2, c2)));
            return loss as import('@tensorflow/tfjs').Scalar;
          }, true)!,
        );
        sum += (await lossT.data())[0]!;
        lossT.dispose();
        steps++;
      }
      lastLoss = sum / steps;
      if (epoch === 0) firstLoss = lastLoss;
      epochs = epoch + 1;
      const vp = await retrievalAtK(await projectRows(val), o.dim, valLabels, 10);
      progress({ status: 'progress', task, done: epochs, total: o.maxEpochs, message: `loss ${lastLoss.toFixed(4)} val_P@10 ${vp.precisionAtK.toFixed(4)} (raw ${valRaw.precisionAtK.toFixed(4)})` });
      if (vp.precisionAtK > best.p10 + 1e-4) {
        best = { p10: vp.precisionAtK, epoch, weights: new Map(Object.entries(vars).map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()])) };
      } else if (epoch - best.epoch >= o.patience) break;
    }
    for (const v of Object.values(vars)) v.dispose();
    optimizer.dispose();
    const seconds = (performance.now() - t0) / 1000;
    progress({ status: 'done', task, done: epochs, total: o.maxEpochs, seconds });
    const w = new Map<string, Float32Array>([['mean', mean], ['w1', best.weights.get('w1')!]]);
    if (o.hidden > 0) {
      w.set('b1', best.weights.get('b1')!);
      w.set('w2', best.weights.get('w2')!);
    }
    return new MetricSpace(
      {
        backbone: data.backbone,
        inputDim: d,
        dim: o.dim,
        hidden: o.hidden,
        labelColumn: data.labelColumn,
        secondaryColumn: c2 > 0 ? (data.secondaryColumn ?? null) : null,
        classes: data.classes,
        trainingSize: n,
        metrics: {
          firstEpochLoss: firstLoss,
          lastEpochLoss: lastLoss,
          valPrecisionAt10: best.p10,
          valRawPrecisionAt10: valRaw.precisionAtK,
          epochs,
          bestEpoch: best.epoch + 1,
          trainSize: train.length,
          valSize: val.length,
          seconds,
        },
        options: o,
        createdAt: Date.now(),
      },
      w,
    );
  }

  /** L2-normalised projections of n rows (row-major n × inputDim) → n × dim. */
  async project(x: Float32Array): Promise<Float32Array> {
    const tf = await getTf();
    const d = this.meta.inputDim;
    if (x.length % d !== 0) throw new LookbookError('LB_ERR_DIMENSION', `vectors must be a multiple of ${d} values, got ${x.length}`);
    const n = x.length / d;
    const out = new Float32Array(n * this.meta.dim);
    const h = this.meta.hidden;
    const M = tf.tensor1d(this.w.get('mean')!);
    const W1 = tf.tensor2d(this.w.get('w1')!, [d, h > 0 ? h : this.meta.dim]);
    const B1 = h > 0 ? tf.tensor1d(this.w.get('b1')!) : undefined;
    const W2 = h > 0 ? tf.tensor2d(this.w.get('w2')!, [h, this.meta.dim]) : undefined;
    try {
      const chunk = 2048;
      for (let s = 0; s < n; s += chunk) {
        const m = Math.min(chunk, n - s);
        const z = tf.tidy(() => {
          let t = tf.matMul(tf.sub(tf.tensor2d(x.subarray(s * d, (s + m) * d), [m, d]), M), W1);
          if (W2 && B1) t = tf.matMul(tf.relu(tf.add(t, B1)), W2);
          return tf.div(t, tf.add(tf.norm(t, 'euclidean', 1, true), 1e-8));
        });
        out.set((await z.data()) as Float32Array, s * this.meta.dim);
        z.dispose();
      }
    } finally {
      for (const t of [M, W1, B1, W2]) t?.dispose();
    }
    return out;
  }

  /** Synchronous plain-JS projection of one raw vector (for single queries). */
  projectOne(v: Float32Array): Float32Array {
    const d = this.meta.inputDim;
    if (v.length !== d) throw new LookbookError('LB_ERR_DIMENSION', `vector has ${v.length} values, the space expects ${d}`);
    const h = this.meta.hidden;
    const mean = this.w.get('mean')!;
    const w1 = this.w.get('w1')!;
    const first = h > 0 ? h : this.meta.dim;
    let z = new Float32Array(first);
    for (let k = 0; k < d; k++) {
      const x = v[k]! - mean[k]!;
      if (x === 0) continue;
      const row = k * first;
      for (let j = 0; j < first; j++) z[j]! += x * w1[row + j]!;
    }
    if (h > 0) {
      const b1 = this.w.get('b1')!;
      const w2 = this.w.get('w2')!;
      const out = new Float32Array(this.meta.dim);
      for (let k = 0; k < h; k++) {
        const a = Math.max(0, z[k]! + b1[k]!);
        if (a === 0) continue;
        for (let j = 0; j < this.meta.dim; j++) out[j]! += a * w2[k * this.meta.dim + j]!;
      }
      z = out;
    }
    let norm = 0;
    for (const x of z) norm += x * x;
    norm = Math.sqrt(norm) + 1e-8;
    for (let j = 0; j < z.length; j++) z[j]! /= norm;
    return z;
  }

  save(dir: string): string {
    const d = this.meta.inputDim;
    const h = this.meta.hidden;
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
      mean: { shape: [d], data: this.w.get('mean')! },
      w1: { shape: [d, h > 0 ? h : this.meta.dim], data: this.w.get('w1')! },
    };
    if (h > 0) {
      tensors.b1 = { shape: [h], data: this.w.get('b1')! };
      tensors.w2 = { shape: [h, this.meta.dim], data: this.w.get('w2')! };
    }
    return saveTensors(dir, { className: SPACE_CLASS_NAME, formatVersion: SPACE_FORMAT_VERSION, ...this.meta }, tensors);
  }

  static load(dir: string): MetricSpace {
    const { meta, tensors } = loadTensors(dir, SPACE_CLASS_NAME, SPACE_FORMAT_VERSION);
    const { tensors: _t, className: _c, formatVersion: _f, ...rest } = meta;
    const m = rest as unknown as MetricSpaceMeta;
    for (const k of m.hidden > 0 ? ['mean', 'w1', 'b1', 'w2'] : ['mean', 'w1']) {
      if (!tensors.has(k)) throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir}: tensor ${k} missing`, { subject: dir });
    }
    return new MetricSpace(m, tensors);
  }
}
