/**
 * Dominant colours of the garment: pixels are quantised into RGB bins (5 bits per channel) carrying
 * their mean Lab, then clustered with weighted k-means; near-duplicate clusters are merged, tiny ones dropped.
 */
import type { ColourShare } from '../../types.ts';
import { weightedKMeans, type Cluster } from './kmeans.ts';
import { deltaE2000, labToHex, type Lab } from './lab.ts';
import { nearestColourName } from './names.ts';

export interface DominantOptions {
  /** Initial number of clusters. Default 5. */
  k?: number;
  /** Clusters closer than this CIEDE2000 are merged. Default 10. */
  mergeDeltaE?: number;
  /** Clusters with a smaller share are dropped (shares are renormalised). Default 0.03. */
  minShare?: number;
  /** At most this many colours are returned. Default 5. */
  maxColours?: number;
  seed?: number;
}

const BINS = 1 << 15;
const binCount = new Float64Array(BINS);
const binLab = new Float64Array(BINS * 3);

/** Dominant colours over the pixels where select[p] is 1, sorted by share (descending). */
export function dominantColours(
  data: Uint8Array,
  lab: Float32Array,
  select: Uint8Array,
  opts: DominantOptions = {},
): ColourShare[] {
  const touched: number[] = [];
  const n = select.length;
  for (let p = 0; p < n; p++) {
    if (!select[p]) continue;
    const j = p * 3;
    const key = ((data[j]! >> 3) << 10) | ((data[j + 1]! >> 3) << 5) | (data[j + 2]! >> 3);
    if (binCount[key] === 0) touched.push(key);
    binCount[key] += 1;
    binLab[key * 3] += lab[j]!;
    binLab[key * 3 + 1] += lab[j + 1]!;
    binLab[key * 3 + 2] += lab[j + 2]!;
  }
  touched.sort((a, b) => a - b); // order-independent of pixel scan → deterministic points
  const m = touched.length;
  const points = new Float32Array(m * 3);
  const weights = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const key = touched[i]!;
    const c = binCount[key]!;
    points[i * 3] = binLab[key * 3]! / c;
    points[i * 3 + 1] = binLab[key * 3 + 1]! / c;
    points[i * 3 + 2] = binLab[key * 3 + 2]! / c;
    weights[i] = c;
    total += c;
    binCount[key] = 0;
    binLab[key * 3] = 0;
    binLab[key * 3 + 1] = 0;
    binLab[key * 3 + 2] = 0;
  }
  if (total === 0) return [];
  const clusters = weightedKMeans(points, weights, { k: opts.k ?? 5, seed: opts.seed ?? 42 });
  return summarise(clusters, total, opts);
}

/** Merges close clusters and those that get the same name, drops tiny ones, names the rest. */
export function summarise(clusters: Cluster[], total: number, opts: DominantOptions = {}): ColourShare[] {
  const mergeDE = opts.mergeDeltaE ?? 10;
  let cs = clusters.map((c) => ({ lab: c.lab, weight: c.weight, name: nearestColourName(c.lab).name }));
  for (;;) {
    let bi = -1;
    let bj = -1;
    let bestD = Infinity;
    for (let i = 0; i < cs.length; i++) {
      for (let j = i + 1; j < cs.length; j++) {
        const d = cs[i]!.name === cs[j]!.name ? 0 : deltaE2000(cs[i]!.lab, cs[j]!.lab);
        if (d < mergeDE && d < bestD) {
          bestD = d;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    const a = cs[bi]!;
    const b = cs[bj]!;
    const w = a.weight + b.weight;
    const lab: Lab = [
      (a.lab[0] * a.weight + b.lab[0] * b.weight) / w,
      (a.lab[1] * a.weight + b.lab[1] * b.weight) / w,
      (a.lab[2] * a.weight + b.lab[2] * b.weight) / w,
    ];
    cs = cs.filter((_, i) => i !== bi && i !== bj);
    cs.push({ lab, weight: w, name: nearestColourName(lab).name });
  }
  const minShare = opts.minShare ?? 0.03;
  const kept = cs.filter((c) => c.weight / total >= minShare);
  const keptTotal = kept.reduce((s, c) => s + c.weight, 0) || 1;
  return kept
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name))
    .slice(0, opts.maxColours ?? 5)
    .map((c) => ({
      name: c.name,
      hex: labToHex(c.lab),
      lab: [round2(c.lab[0]), round2(c.lab[1]), round2(c.lab[2])] as [number, number, number],
      share: round4(c.weight / keptTotal),
    }));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}
