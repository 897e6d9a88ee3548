/**
 * Probability calibration in plain JS (small n × C matrices): softmax, negative log-likelihood,
 * temperature scaling (Guo et al. 2017) and expected calibration error.
 */

/** Row-wise softmax of logits / temperature (+ optional per-class bias added before scaling). */
export function softmaxRows(logits: Float32Array, c: number, temperature = 1, bias?: ArrayLike<number>): Float32Array {
  const n = logits.length / c;
  const out = new Float32Array(logits.length);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) {
      const z = (logits[i * c + j]! + (bias ? bias[j]! : 0)) / temperature;
      out[i * c + j] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(out[i * c + j]! - max);
      out[i * c + j] = e;
      sum += e;
    }
    for (let j = 0; j < c; j++) out[i * c + j]! /= sum;
  }
  return out;
}

/** Mean negative log-likelihood of the true classes. */
export function nll(probs: Float32Array, c: number, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(probs[i * c + y[i]!]!, 1e-12));
  return s / Math.max(1, y.length);
}

/**
 * The temperature T > 0 minimising validation NLL of softmax((logits + bias) / T),
 * by golden-section search on log T in [1/20, 20].
 */
export function fitTemperature(logits: Float32Array, c: number, y: ArrayLike<number>, bias?: ArrayLike<number>): number {
  const f = (logT: number) => nll(softmaxRows(logits, c, Math.exp(logT), bias), c, y);
  let a = Math.log(0.05);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < 40; it++) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Expected calibration error of the top-1 prediction with `bins` equal-width confidence bins:
 * Σ_b (|b| / n) · |accuracy(b) − confidence(b)|.
 */
export function expectedCalibrationError(probs: Float32Array, c: number, y: ArrayLike<number>, bins = 15): number {
  const n = y.length;
  if (n === 0) return 0;
  const cnt = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (probs[i * c + j]! > probs[i * c + best]!) best = j;
    const p = probs[i * c + best]!;
    const b = Math.min(bins - 1, Math.floor(p * bins));
    cnt[b]!++;
    conf[b]! += p;
    if (best === y[i]) acc[b]!++;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (cnt[b]! > 0) e += Math.abs(acc[b]! - conf[b]!) / n;
  return e;
}

/** argmax per row of (log probs + decision bias). */
export function decide(probs: Float32Array, c: number, decisionBias?: ArrayLike<number>): Int32Array {
  const n = probs.length / c;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let j = 0; j < c; j++) {
      const s = Math.log(Math.max(probs[i * c + j]!, 1e-12)) + (decisionBias ? decisionBias[j]! : 0);
      if (s > bestScore) {
        bestScore = s;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Macro-F1 over all classes 0..c-1 (classes absent from both truth and prediction count as F1 = 0 only if present in truth). */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, c: number): number {
  const tp = new Float64Array(c);
  const fp = new Float64Array(c);
  const fn = new Float64Array(c);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t === p) tp[t]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  let s = 0;
  let k = 0;
  for (let j = 0; j < c; j++) {
    if (tp[j]! + fn[j]! === 0) continue;
    const denom = 2 * tp[j]! + fp[j]! + fn[j]!;
    s += denom === 0 ? 0 : (2 * tp[j]!) / denom;
    k++;
  }
  return k === 0 ? 0 : s / k;
}
