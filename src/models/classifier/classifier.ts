/**
 * CategoricalHead: a small MLP (or softmax regression when hidden = 0) on frozen features
 * (CNN embedding, optionally + colour histogram), trained with tfjs on the wasm backend.
 *
 * Training: standardised inputs, class-balanced cross-entropy (weights ∝ (n / n_c)^power), Adam,
 * dropout, L2, early stopping on a stratified validation split carved from the training rows.
 * Calibration on that validation split: the class-weight prior shift is undone (logit bias −log w_c,
 * kept when it lowers validation NLL) and a temperature is fitted (ECE reported before/after).
 * Decisions: argmax of log p + β·log(1/prior), β chosen on validation macro-F1 (β = 0 is plain argmax).
 */
import { getTf } from '../../backends/tf.ts';
import { LookbookError } from '../../errors.ts';
import type { ProgressCallback } from '../../logging/index.ts';
import { decide, expectedCalibrationError, fitTemperature, macroF1, nll, softmaxRows } from './calibration.ts';
import { loadTensors, saveTensors } from './persist.ts';
import { gatherRows, glorot, makeRng, shuffleInPlace, stratifiedSplit } from './random.ts';

export const HEAD_CLASS_NAME = 'CategoricalHead';
export const HEAD_FORMAT_VERSION = 1;

/** What the input vector of a head is made of, in order. */
export interface FeatureSpec {
  backbone: string;
  embeddingDim: number;
  /** Length of the colour histogram appended to the embedding (0 = embedding only). */
  histogramDim: number;
  /** Use the embedding at all (false = colour-only baseline head). */
  useEmbedding: boolean;
}

export function inputDim(spec: FeatureSpec): number {
  return (spec.useEmbedding ? spec.embeddingDim : 0) + spec.histogramDim;
}

export interface HeadOptions {
  /** Hidden units; 0 = softmax regression. Default 256. */
  hidden?: number;
  dropout?: number;
  learningRate?: number;
  batchSize?: number;
  maxEpochs?: number;
  /** Epochs without validation-loss improvement before stopping. */
  patience?: number;
  /** L2 penalty on the weight matrices. */
  weightDecay?: number;
  /** 'weights' = class-balanced loss; 'none' = plain cross-entropy. */
  balance?: 'weights' | 'none';
  /** Exponent of the inverse-frequency class weights (1 = fully balanced, 0.5 = square root). */
  balancePower?: number;
  valFraction?: number;
  seed?: number;
  onProgress?: ProgressCallback;
  /** Task name used in progress events. */
  task?: string;
}

export interface HeadMeta {
  column: string;
  classes: string[];
  otherClass: string | null;
  featureSpec: FeatureSpec;
  hidden: number;
  temperature: number;
  logitBias: number[];
  decisionBias: number[];
  trainingSize: number;
  classCounts: number[];
  metrics: Record<string, number>;
  options: Record<string, unknown>;
  createdAt: number;
  [key: string]: unknown;
}

export interface TrainData {
  /** Row-major n × inputDim(spec). */
  x: Float32Array;
  /** Class id per row (0..classes.length-1). */
  y: Int32Array;
  classes: string[];
  column: string;
  otherClass?: string | null;
  spec: FeatureSpec;
  /**
   * Optional auxiliary label (multi-task): a second softmax on the hidden layer, trained alongside and
   * dropped after training, so a richer column (e.g. articleType) shapes the features the main head uses.
   * y = -1 where the row has no auxiliary label. Needs hidden > 0.
   */
  aux?: { column: string; y: Int32Array; classes: number; weight?: number };
}

interface Weights {
  mean: Float32Array;
  std: Float32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2?: Float32Array;
  b2?: Float32Array;
}

export class CategoricalHead {
  readonly meta: HeadMeta;
  private readonly w: Weights;

  private constructor(meta: HeadMeta, w: Weights) {
    this.meta = meta;
    this.w = w;
  }

  get classes(): string[] {
    return this.meta.classes;
  }

  static async fit(data: TrainData, opts: HeadOptions = {}): Promise<CategoricalHead> {
    const t0 = performance.now();
    const tf = await getTf();
    const d = inputDim(data.spec);
    const n = data.y.length;
    const c = data.classes.length;
    if (data.x.length !== n * d) throw new LookbookError('LB_ERR_DIMENSION', `features are ${data.x.length / Math.max(1, n)}-d, expected ${d}`);
    const o = {
      hidden: opts.hidden ?? 256,
      dropout: opts.dropout ?? 0.3,
      learningRate: opts.learningRate ?? 1e-3,
      batchSize: opts.batchSize ?? 256,
      maxEpochs: opts.maxEpochs ?? 40,
      patience: opts.patience ?? 4,
      weightDecay: opts.weightDecay ?? 1e-4,
      balance: opts.balance ?? 'weights',
      balancePower: opts.balancePower ?? 0.5,
      valFraction: opts.valFraction ?? 0.1,
      seed: opts.seed ?? 42,
    };
    const task = opts.task ?? `train ${data.column}`;
    const progress = opts.onProgress ?? (() => {});
    const rng = makeRng(o.seed);

    const { train, test: val } = stratifiedSplit(data.y, o.valFraction, o.seed);
    if (train.length === 0 || val.length === 0) throw new LookbookError('LB_ERR_LABEL_COLUMN', `too few labelled rows (${n}) to train ${data.column}`);
    const counts = new Array<number>(c).fill(0);
    for (const i of train) counts[data.y[i]!]!++;
    const prior = counts.map((k) => Math.max(k, 1) / train.length);
    const inv = prior.map((p) => 1 / (c * p));
    const cw = o.balance === 'weights' ? inv.map((v) => v ** o.balancePower) : inv.map(() => 1);
    const meanW = train.reduce((s, i) => s + cw[data.y[i]!]!, 0) / train.length;
    for (let j = 0; j < c; j++) cw[j]! /= meanW;

    // Standardisation from the training rows.
    const mean = new Float32Array(d);
    const std = new Float32Array(d);
    for (const i of train) for (let k = 0; k < d; k++) mean[k]! += data.x[i * d + k]!;
    for (let k = 0; k < d; k++) mean[k]! /= train.length;
    for (const i of train) for (let k = 0; k < d; k++) std[k]! += (data.x[i * d + k]! - mean[k]!) ** 2;
    for (let k = 0; k < d; k++) {
      const s = Math.sqrt(std[k]! / train.length);
      std[k] = s > 1e-6 ? s : 1;
    }
    const standardise = (rows: number[]) => {
      const m = gatherRows(data.x, d, rows);
      for (let r = 0; r < rows.length; r++) for (let k = 0; k < d; k++) m[r * d + k] = (m[r * d + k]! - mean[k]!) / std[k]!;
      return m;
    };

    const hidden = o.hidden;
    const outIn = hidden > 0 ? hidden : d;
    const vars: Record<string, import('@tensorflow/tfjs').Variable> = {
      w1: tf.variable(tf.tensor2d(glorot(d, hidden > 0 ? hidden : c, rng), [d, hidden > 0 ? hidden : c])),
      b1: tf.variable(tf.zeros([hidden > 0 ? hidden : c])),
    };
    if (hidden > 0) {
      vars.w2 = tf.variable(tf.tensor2d(glorot(outIn, c, rng), [outIn, c]));
      vars.b2 = tf.variable(tf.zeros([c]));
    }
    const aux = hidden > 0 && data.aux && data.aux.classes > 1 ? data.aux : undefined;
    if (aux) {
      vars.wa = tf.variable(tf.tensor2d(glorot(hidden, aux.classes, rng), [hidden, aux.classes]));
      vars.ba = tf.variable(tf.zeros([aux.classes]));
    }
    let auxLogits: import('@tensorflow/tfjs').Tensor2D | undefined;
    const forward = (x: import('@tensorflow/tfjs').Tensor2D, training: boolean) => {
      if (hidden === 0) return tf.add(tf.matMul(x, vars.w1!), vars.b1!);
      let h = tf.relu(tf.add(tf.matMul(x, vars.w1!), vars.b1!));
      if (training && o.dropout > 0) h = tf.dropout(h, o.dropout, undefined, Math.floor(rng() * 2 ** 31));
      if (training && aux) auxLogits = tf.add(tf.matMul(h, vars.wa!), vars.ba!) as import('@tensorflow/tfjs').Tensor2D;
      return tf.add(tf.matMul(h, vars.w2!), vars.b2!);
    };
    const cwT = tf.tensor1d(cw);
    const optimizer = tf.train.adam(o.learningRate);
    const xVal = tf.tensor2d(standardise(val), [val.length, d]);
    const yVal = Int32Array.from(val, (i) => data.y[i]!);
    const valLogits = () => tf.tidy(() => forward(xVal, false).dataSync() as Float32Array).slice();
    const weightedNll = (logits: Float32Array, y: Int32Array) => {
      const p = softmaxRows(logits, c);
      let s = 0;
      let ws = 0;
      for (let i = 0; i < y.length; i++) {
        s -= cw[y[i]!]! * Math.log(Math.max(p[i * c + y[i]!]!, 1e-12));
        ws += cw[y[i]!]!;
      }
      return s / ws;
    };

    progress({ status: 'start', task, total: o.maxEpochs, unit: 'epoch' });
    let best = { loss: Infinity, epoch: -1, weights: {} as Record<string, Float32Array> };
    let lastTrainLoss = NaN;
    let epochs = 0;
    const order = Int32Array.from(train);
    for (let epoch = 0; epoch < o.maxEpochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      let steps = 0;
      for (let s = 0; s < order.length; s += o.batchSize) {
        const rows = Array.from(order.subarray(s, Math.min(order.length, s + o.batchSize)));
        const xb = standardise(rows);
        const yb = Int32Array.from(rows, (i) => data.y[i]!);
        const lossT = tf.tidy(() => {
          const x = tf.tensor2d(xb, [rows.length, d]);
          const y = tf.oneHot(tf.tensor1d(yb, 'int32'), c);
          const sw = tf.gather(cwT, tf.tensor1d(yb, 'int32'));
          return optimizer.minimize(() => {
            const logits = forward(x, true);
            const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
            let loss = tf.div(tf.sum(tf.mul(ce, sw)), tf.sum(sw));
            if (aux && auxLogits) {
              const ya = Int32Array.from(rows, (i) => aux.y[i]!);
              const mask = tf.tensor1d(Float32Array.from(ya, (v) => (v >= 0 ? 1 : 0)));
              const oha = tf.oneHot(tf.tensor1d(Int32Array.from(ya, (v) => Math.max(0, v)), 'int32'), aux.classes);
              const cea = tf.neg(tf.sum(tf.mul(oha, tf.logSoftmax(auxLogits)), 1));
              loss = tf.add(loss, tf.mul(aux.weight ?? 0.5, tf.div(tf.sum(tf.mul(cea, mask)), tf.add(tf.sum(mask), 1e-8))));
            }
            if (o.weightDecay > 0) {
              let l2 = tf.sum(tf.square(vars.w1!));
              if (vars.w2) l2 = tf.add(l2, tf.sum(tf.square(vars.w2)));
              loss = tf.add(loss, tf.mul(o.weightDecay, l2));
            }
            return loss as import('@tensorflow/tfjs').Scalar;
          }, true)!;
        });
        lossSum += (await lossT.data())[0]!;
        lossT.dispose();
        steps++;
      }
      lastTrainLoss = lossSum / steps;
      epochs = epoch + 1;
      const vl = valLogits();
      const vLoss = weightedNll(vl, yVal);
      const vPred = decide(softmaxRows(vl, c), c);
      const vAcc = vPred.reduce((s, p, i) => s + (p === yVal[i] ? 1 : 0), 0) / yVal.length;
      progress({
        status: 'progress',
        task,
        done: epoch + 1,
        total: o.maxEpochs,
        message: `loss ${lastTrainLoss.toFixed(4)} val_loss ${vLoss.toFixed(4)} val_acc ${vAcc.toFixed(3)} val_macroF1 ${macroF1(yVal, vPred, c).toFixed(3)}`,
      });
      if (vLoss < best.loss - 1e-4) {
        best = { loss: vLoss, epoch, weights: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()])) };
      } else if (epoch - best.epoch >= o.patience) break;
    }
    for (const [k, v] of Object.entries(best.weights)) vars[k]!.assign(tf.tensor(v, vars[k]!.shape));

    // Calibration and decision rule on the validation split.
    const vl = valLogits();
    const raw = softmaxRows(vl, c);
    const eceBefore = expectedCalibrationError(raw, c, yVal);
    const zero = new Array<number>(c).fill(0);
    const shift = cw.map((w) => -Math.log(w));
    const tZero = fitTemperature(vl, c, yVal, zero);
    const tShift = fitTemperature(vl, c, yVal, shift);
    const nllZero = nll(softmaxRows(vl, c, tZero, zero), c, yVal);
    const nllShift = nll(softmaxRows(vl, c, tShift, shift), c, yVal);
    const useShift = nllShift < nllZero;
    const logitBias = useShift ? shift : zero;
    const temperature = useShift ? tShift : tZero;
    const calibrated = softmaxRows(vl, c, temperature, logitBias);
    const eceAfter = expectedCalibrationError(calibrated, c, yVal);
    const logInvPrior = prior.map((p) => -Math.log(p));
    let bestBeta = 0;
    let bestF1 = -1;
    for (const beta of [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]) {
      const f1 = macroF1(yVal, decide(calibrated, c, logInvPrior.map((v) => beta * v)), c);
      if (f1 > bestF1 + 1e-9) {
        bestF1 = f1;
        bestBeta = beta;
      }
    }
    const decisionBias = logInvPrior.map((v) => bestBeta * v);
    const vDec = decide(calibrated, c, decisionBias);
    const weights: Weights = { mean, std, w1: best.weights.w1!, b1: best.weights.b1!, w2: best.weights.w2, b2: best.weights.b2 };
    for (const v of Object.values(vars)) v.dispose();
    optimizer.dispose();
    cwT.dispose();
    xVal.dispose();

    const seconds = (performance.now() - t0) / 1000;
    progress({ status: 'done', task, done: epochs, total: o.maxEpochs, seconds });
    const metrics = {
      trainLoss: lastTrainLoss,
      valLoss: best.loss,
      valAccuracy: vDec.reduce((s, p, i) => s + (p === yVal[i] ? 1 : 0), 0) / yVal.length,
      valMacroF1: bestF1,
      valNll: nll(calibrated, c, yVal),
      valEceBefore: eceBefore,
      valEce: eceAfter,
      temperature,
      decisionBeta: bestBeta,
      epochs,
      bestEpoch: best.epoch + 1,
      trainSize: train.length,
      valSize: val.length,
      seconds,
    };
    const meta: HeadMeta = {
      column: data.column,
      classes: data.classes,
      otherClass: data.otherClass ?? null,
      featureSpec: data.spec,
      hidden,
      temperature,
      logitBias,
      decisionBias,
      trainingSize: n,
      classCounts: Array.from({ length: c }, (_, j) => data.y.reduce((s, y) => s + (y === j ? 1 : 0), 0)),
      metrics,
      options: { ...o, priorCorrection: useShift, ...(aux ? { auxColumn: aux.column, auxWeight: aux.weight ?? 0.5 } : {}) },
      createdAt: Date.now(),
    };
    return new CategoricalHead(meta, weights);
  }

  /** Uncalibrated logits for n rows of features (row-major n × inputDim). */
  async logits(x: Float32Array): Promise<Float32Array> {
    const tf = await getTf();
    const d = inputDim(this.meta.featureSpec);
    const c = this.meta.classes.length;
    if (x.length % d !== 0) throw new LookbookError('LB_ERR_DIMENSION', `features must be a multiple of ${d} values, got ${x.length}`);
    const n = x.length / d;
    const out = new Float32Array(n * c);
    const { mean, std, w1, b1, w2, b2 } = this.w;
    const hidden = this.meta.hidden;
    const chunk = 2048;
    const W1 = tf.tensor2d(w1, [d, hidden > 0 ? hidden : c]);
    const B1 = tf.tensor1d(b1);
    const W2 = w2 ? tf.tensor2d(w2, [hidden, c]) : undefined;
    const B2 = b2 ? tf.tensor1d(b2) : undefined;
    const M = tf.tensor1d(mean);
    const S = tf.tensor1d(std);
    try {
      for (let s = 0; s < n; s += chunk) {
        const m = Math.min(chunk, n - s);
        const part = tf.tidy(() => {
          const xs = tf.div(tf.sub(tf.tensor2d(x.subarray(s * d, (s + m) * d), [m, d]), M), S);
          const z = tf.add(tf.matMul(xs, W1), B1);
          return W2 && B2 ? tf.add(tf.matMul(tf.relu(z), W2), B2) : z;
        });
        out.set((await part.data()) as Float32Array, s * c);
        part.dispose();
      }
    } finally {
      for (const t of [W1, B1, W2, B2, M, S]) t?.dispose();
    }
    return out;
  }

  /** Calibrated class probabilities, row-major n × classes.length. */
  async predict(x: Float32Array): Promise<Float32Array> {
    const c = this.meta.classes.length;
    return softmaxRows(await this.logits(x), c, this.meta.temperature, this.meta.logitBias);
  }

  /** Decided class id per row, from calibrated probabilities (see decisionBias). */
  classify(probs: Float32Array): Int32Array {
    return decide(probs, this.meta.classes.length, this.meta.decisionBias);
  }

  save(dir: string): string {
    const { mean, std, w1, b1, w2, b2 } = this.w;
    const d = inputDim(this.meta.featureSpec);
    const c = this.meta.classes.length;
    const h = this.meta.hidden;
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
      mean: { shape: [d], data: mean },
      std: { shape: [d], data: std },
      w1: { shape: [d, h > 0 ? h : c], data: w1 },
      b1: { shape: [h > 0 ? h : c], data: b1 },
    };
    if (w2 && b2) {
      tensors.w2 = { shape: [h, c], data: w2 };
      tensors.b2 = { shape: [c], data: b2 };
    }
    return saveTensors(dir, { className: HEAD_CLASS_NAME, formatVersion: HEAD_FORMAT_VERSION, ...this.meta }, tensors);
  }

  static load(dir: string): CategoricalHead {
    const { meta, tensors } = loadTensors(dir, HEAD_CLASS_NAME, HEAD_FORMAT_VERSION);
    const need = (k: string) => {
      const t = tensors.get(k);
      if (!t) throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir}: tensor ${k} missing`, { subject: dir });
      return t;
    };
    const { tensors: _t, className: _c, formatVersion: _f, ...rest } = meta;
    return new CategoricalHead(rest as unknown as HeadMeta, {
      mean: need('mean'),
      std: need('std'),
      w1: need('w1'),
      b1: need('b1'),
      w2: tensors.get('w2'),
      b2: tensors.get('b2'),
    });
  }
}
