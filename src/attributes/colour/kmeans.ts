/**
 * Weighted k-means in Lab with seeded k-means++ initialisation (deterministic for a given seed).
 * Points are packed triples; weights are pixel counts (callers quantise pixels into bins first).
 */
import type { Lab } from './lab.ts';
import { mulberry32 } from '../../util/random.ts';

export { mulberry32 };

export interface Cluster {
  lab: Lab;
  /** Sum of the weights of the points assigned to it. */
  weight: number;
}

export interface KMeansOptions {
  k: number;
  seed?: number;
  maxIter?: number;
}

function dist2(points: Float32Array, i: number, c: Float64Array, j: number): number {
  const dl = points[i * 3]! - c[j * 3]!;
  const da = points[i * 3 + 1]! - c[j * 3 + 1]!;
  const db = points[i * 3 + 2]! - c[j * 3 + 2]!;
  return dl * dl + da * da + db * db;
}

/**
 * Clusters n weighted Lab points. Returns up to k clusters (fewer when there are fewer distinct points),
 * sorted by weight descending; empty clusters are dropped.
 */
export function weightedKMeans(points: Float32Array, weights: Float64Array, opts: KMeansOptions): Cluster[] {
  const n = weights.length;
  if (n === 0) return [];
  const k = Math.max(1, Math.min(opts.k, n));
  const rand = mulberry32(opts.seed ?? 1);
  const maxIter = opts.maxIter ?? 12;
  const centres = new Float64Array(k * 3);
  const d2 = new Float64Array(n).fill(Infinity);

  // k-means++: first centre drawn by weight, then proportional to weight × squared distance.
  let chosen = 0;
  let pick = pickIndex(weights, rand());
  for (;;) {
    centres[chosen * 3] = points[pick * 3]!;
    centres[chosen * 3 + 1] = points[pick * 3 + 1]!;
    centres[chosen * 3 + 2] = points[pick * 3 + 2]!;
    chosen++;
    if (chosen === k) break;
    let total = 0;
    const probs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = dist2(points, i, centres, chosen - 1);
      if (d < d2[i]!) d2[i] = d;
      probs[i] = d2[i]! * weights[i]!;
      total += probs[i]!;
    }
    if (total <= 1e-9) break; // every point coincides with a centre
    pick = pickIndex(probs, rand());
  }

  const kk = chosen;
  const assign = new Int32Array(n).fill(-1);
  const sums = new Float64Array(kk * 3);
  const wsum = new Float64Array(kk);
  for (let iter = 0; iter < maxIter; iter++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < kk; j++) {
        const d = dist2(points, i, centres, j);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (assign[i] !== best) {
        assign[i] = best;
        changed++;
      }
    }
    sums.fill(0);
    wsum.fill(0);
    for (let i = 0; i < n; i++) {
      const j = assign[i]!;
      const w = weights[i]!;
      sums[j * 3] += points[i * 3]! * w;
      sums[j * 3 + 1] += points[i * 3 + 1]! * w;
      sums[j * 3 + 2] += points[i * 3 + 2]! * w;
      wsum[j] += w;
    }
    for (let j = 0; j < kk; j++) {
      if (wsum[j]! > 0) {
        centres[j * 3] = sums[j * 3]! / wsum[j]!;
        centres[j * 3 + 1] = sums[j * 3 + 1]! / wsum[j]!;
        centres[j * 3 + 2] = sums[j * 3 + 2]! / wsum[j]!;
      }
    }
    if (changed === 0) break;
  }
  const out: Cluster[] = [];
  for (let j = 0; j < kk; j++) {
    if (wsum[j]! > 0) out.push({ lab: [centres[j * 3]!, centres[j * 3 + 1]!, centres[j * 3 + 2]!], weight: wsum[j]! });
  }
  return out.sort((a, b) => b.weight - a.weight);
}

function pickIndex(w: Float64Array, r: number): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  let target = r * total;
  for (let i = 0; i < w.length; i++) {
    target -= w[i]!;
    if (target < 0) return i;
  }
  return w.length - 1;
}
