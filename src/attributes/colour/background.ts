/**
 * Background removal for studio product shots: estimate the background colour(s) from the border,
 * then flood-fill from the border through pixels close to a background colour.
 * Falls back to the centre region when the remaining garment mask is empty or tiny
 * (e.g. a white shirt on a white background).
 */
import { weightedKMeans } from './kmeans.ts';
import type { Lab } from './lab.ts';

export interface MaskOptions {
  /**
   * Max lightness-relaxed Lab distance from a background colour (L* counts 0.75).
   * Default: adaptive, 2 × the 75th percentile of the border's own distance + 2.5, clamped to 3..14
   * (tight on clean white studio backgrounds, looser on graded or shadowed ones).
   */
  threshold?: number;
  /** Max plain ΔE76 between neighbours for the fill to cross (stops at garment edges). Default 10. */
  stepThreshold?: number;
  /** Foreground shares below this use the centre-region fallback. Default 0.03. */
  minForeground?: number;
}

export interface ForegroundMask {
  /** 1 = garment, 0 = background; one byte per pixel. */
  mask: Uint8Array;
  /** Garment pixels away from the mask edge (1) — used for colours, free of edge blends. */
  interior: Uint8Array;
  count: number;
  interiorCount: number;
  /** Share of the image marked as garment (after fallback). */
  share: number;
  /** True when the centre region was used because background removal left too little. */
  fallback: boolean;
  background: Lab[];
}

const L_WEIGHT = 0.75;

/** Indices of the 1-pixel border ring, clockwise-free order (top, bottom, left, right). */
function borderIndices(width: number, height: number): number[] {
  const idx: number[] = [];
  for (let x = 0; x < width; x++) idx.push(x);
  if (height > 1) for (let x = 0; x < width; x++) idx.push((height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) {
    idx.push(y * width);
    if (width > 1) idx.push(y * width + width - 1);
  }
  return idx;
}

/** Estimates up to 2 background colours from the border pixels. */
export function estimateBackground(lab: Float32Array, width: number, height: number): Lab[] {
  const idx = borderIndices(width, height);
  const pts = new Float32Array(idx.length * 3);
  for (let i = 0; i < idx.length; i++) {
    const p = idx[i]!;
    pts[i * 3] = lab[p * 3]!;
    pts[i * 3 + 1] = lab[p * 3 + 1]!;
    pts[i * 3 + 2] = lab[p * 3 + 2]!;
  }
  const clusters = weightedKMeans(pts, new Float64Array(idx.length).fill(1), { k: 3, seed: 7, maxIter: 8 });
  const total = idx.length;
  // The largest border cluster is background; a second one only when it covers much of the border.
  return clusters.filter((c, i) => i === 0 || c.weight / total >= 0.3).slice(0, 2).map((c) => c.lab);
}

/** Lightness-relaxed distance of every pixel to its nearest background colour. */
function distances(lab: Float32Array, n: number, bg: Lab[]): Float32Array {
  const out = new Float32Array(n).fill(Infinity);
  for (const c of bg) {
    const [L, A, B] = c;
    for (let p = 0, j = 0; p < n; p++, j += 3) {
      const dl = (lab[j]! - L) * L_WEIGHT;
      const da = lab[j + 1]! - A;
      const db = lab[j + 2]! - B;
      const d = Math.sqrt(dl * dl + da * da + db * db);
      if (d < out[p]!) out[p] = d;
    }
  }
  return out;
}

/** Threshold from how much the border itself varies around the background colour(s). */
function adaptiveThreshold(dist: Float32Array, border: number[]): number {
  const ds = Float32Array.from(border, (p) => dist[p]!).sort();
  const p75 = ds[Math.floor(0.75 * (ds.length - 1))] ?? 0;
  return Math.max(3, Math.min(14, 2 * p75 + 2.5));
}

export function foregroundMask(lab: Float32Array, width: number, height: number, opts: MaskOptions = {}): ForegroundMask {
  const n = width * height;
  const S2 = (opts.stepThreshold ?? 10) ** 2;
  const bg = estimateBackground(lab, width, height);
  const dist = distances(lab, n, bg);
  const border = borderIndices(width, height);
  const T = opts.threshold ?? adaptiveThreshold(dist, border);
  const isBg = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (const p of border) {
    if (!isBg[p] && dist[p]! < T) {
      isBg[p] = 1;
      queue[tail++] = p;
    }
  }
  for (let head = 0; head < tail; head++) {
    const p = queue[head]!;
    const x = p % width;
    for (let k = 0; k < 4; k++) {
      let q: number;
      if (k === 0) {
        if (x === 0) continue;
        q = p - 1;
      } else if (k === 1) {
        if (x === width - 1) continue;
        q = p + 1;
      } else if (k === 2) {
        if (p < width) continue;
        q = p - width;
      } else {
        if (p + width >= n) continue;
        q = p + width;
      }
      if (isBg[q] || !(dist[q]! < T)) continue;
      const dl = lab[p * 3]! - lab[q * 3]!;
      const da = lab[p * 3 + 1]! - lab[q * 3 + 1]!;
      const db = lab[p * 3 + 2]! - lab[q * 3 + 2]!;
      if (dl * dl + da * da + db * db >= S2) continue;
      isBg[q] = 1;
      queue[tail++] = q;
    }
  }

  const mask = new Uint8Array(n);
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (!isBg[p]) {
      mask[p] = 1;
      count++;
    }
  }
  let fallback = false;
  if (count < Math.max(4, (opts.minForeground ?? 0.03) * n)) {
    fallback = true;
    mask.fill(0);
    count = 0;
    const x0 = Math.floor(width * 0.3);
    const x1 = Math.ceil(width * 0.7);
    const y0 = Math.floor(height * 0.25);
    const y1 = Math.ceil(height * 0.75);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        mask[y * width + x] = 1;
        count++;
      }
    }
  }
  const interior = new Uint8Array(n);
  let interiorCount = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = y * width + x;
      if (mask[p] && mask[p - 1] && mask[p + 1] && mask[p - width] && mask[p + width]) {
        interior[p] = 1;
        interiorCount++;
      }
    }
  }
  return { mask, interior, count, interiorCount, share: count / n, fallback, background: bg };
}
