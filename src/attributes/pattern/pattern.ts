/**
 * Texture / pattern descriptor from simple statistics over the garment interior (no learned model):
 * gradient energy and edge density on L*, orientation coherence (structure-tensor style), periodicity of the
 * row and column edge-strength profiles (autocorrelation peak), and the colour make-up.
 * Labels: solid, colour-block, striped, checked, printed. See README.md for how reliable this is.
 */
import type { ColourShare, PatternInfo } from '../../types.ts';

export const PATTERN_LABELS = ['solid', 'colour-block', 'striped', 'checked', 'printed'] as const;
export type PatternLabel = (typeof PATTERN_LABELS)[number];

/** L* change per pixel above which a pixel counts as an edge. */
const EDGE_THRESHOLD = 10;

export interface PatternInput {
  lab: Float32Array;
  width: number;
  height: number;
  /** Garment pixels away from the mask border (1). */
  interior: Uint8Array;
  colours: ColourShare[];
}

export function describePattern(input: PatternInput): PatternInfo {
  const { lab, width: w, height: h, interior, colours } = input;
  // Look at the body of the garment only: the central box of the mask's bounding box (x 25–75 %,
  // y 20–65 %). On shots with a model this is the torso, away from face, hands and other garments.
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (interior[y * w + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const bx0 = Math.max(1, Math.floor(x0 + 0.25 * (x1 - x0)));
  const bx1 = Math.min(w - 1, Math.ceil(x0 + 0.75 * (x1 - x0)));
  const by0 = Math.max(1, Math.floor(y0 + 0.2 * (y1 - y0)));
  const by1 = Math.min(h - 1, Math.ceil(y0 + 0.65 * (y1 - y0)));
  // Deep interior: interior pixels whose 4 neighbours are interior too (no outline edges).
  const deep = new Uint8Array(w * h);
  let nDeep = 0;
  for (let y = by0; y < by1; y++) {
    for (let x = bx0; x < bx1; x++) {
      const p = y * w + x;
      if (interior[p] && interior[p - 1] && interior[p + 1] && interior[p - w] && interior[p + w]) {
        deep[p] = 1;
        nDeep++;
      }
    }
  }
  let edges = 0;
  let gsum = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let meanL = 0;
  let meanA = 0;
  let meanB = 0;
  for (let p = 0; p < w * h; p++) {
    if (!deep[p]) continue;
    const gx = (lab[(p + 1) * 3]! - lab[(p - 1) * 3]!) / 2;
    const gy = (lab[(p + w) * 3]! - lab[(p - w) * 3]!) / 2;
    const m = Math.sqrt(gx * gx + gy * gy);
    gsum += m;
    if (m > EDGE_THRESHOLD) {
      edges++;
      sxx += gx * gx;
      syy += gy * gy;
      sxy += gx * gy;
    }
    meanL += lab[p * 3]!;
    meanA += lab[p * 3 + 1]!;
    meanB += lab[p * 3 + 2]!;
  }
  const denom = Math.max(1, nDeep);
  meanL /= denom;
  meanA /= denom;
  meanB /= denom;
  let spread = 0;
  for (let p = 0; p < w * h; p++) {
    if (!deep[p]) continue;
    const dl = lab[p * 3]! - meanL;
    const da = lab[p * 3 + 1]! - meanA;
    const db = lab[p * 3 + 2]! - meanB;
    spread += dl * dl + da * da + db * db;
  }
  const edgeDensity = edges / denom;
  const meanGradient = gsum / denom;
  // Coherence of edge orientations: 1 = all edges parallel (stripes), 0 = isotropic.
  const trace = sxx + syy;
  const coherence = trace > 0 ? Math.sqrt((sxx - syy) * (sxx - syy) + 4 * sxy * sxy) / trace : 0;
  const rowProfile = profile(lab, deep, w, h, 'rows');
  const colProfile = profile(lab, deep, w, h, 'cols');
  const rowPeriodicity = periodicity(rowProfile);
  const colPeriodicity = periodicity(colProfile);
  const topShare = colours[0]?.share ?? 1;
  const secondShare = colours[1]?.share ?? 0;

  const scores: Record<string, number> = {
    edgeDensity: r3(edgeDensity),
    meanGradient: r3(meanGradient),
    coherence: r3(coherence),
    rowPeriodicity: r3(rowPeriodicity),
    colPeriodicity: r3(colPeriodicity),
    colourSpread: r3(Math.sqrt(spread / denom)),
    colours: colours.length,
    topShare: r3(topShare),
    interiorPixels: nDeep,
  };
  return { label: labelOf(scores, secondShare), scores };
}

function labelOf(s: Record<string, number>, secondShare: number): PatternLabel {
  if ((s.interiorPixels ?? 0) < 30) return 'solid';
  const ed = s.edgeDensity!;
  const rp = s.rowPeriodicity!;
  const cp = s.colPeriodicity!;
  if (ed < 0.08) return secondShare >= 0.3 ? 'colour-block' : 'solid';
  if (rp >= 0.45 && cp >= 0.45) return 'checked';
  if (Math.max(rp, cp) >= 0.5 || (s.coherence! >= 0.7 && ed >= 0.1)) return 'striped';
  if (ed < 0.15) return 'solid';
  return 'printed';
}

/**
 * Per row: mean abs(dL/dy) of its deep-interior pixels (horizontal edges); per column: mean abs(dL/dx).
 * Horizontal stripes and checks make the row profile periodic, vertical stripes and checks the column one.
 * Lines with fewer than 3 such pixels are skipped.
 */
function profile(lab: Float32Array, deep: Uint8Array, w: number, h: number, dir: 'rows' | 'cols'): number[] {
  const outer = dir === 'rows' ? h : w;
  const inner = dir === 'rows' ? w : h;
  const off = dir === 'rows' ? w : 1;
  const out: number[] = [];
  for (let i = 0; i < outer; i++) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < inner; j++) {
      const p = dir === 'rows' ? i * w + j : j * w + i;
      if (deep[p]) {
        s += Math.abs(lab[(p + off) * 3]! - lab[(p - off) * 3]!) / 2;
        c++;
      }
    }
    if (c >= 3) out.push(s / c);
  }
  return out;
}

/**
 * Autocorrelation peak of a detrended profile: the highest local maximum at lag ≥ 2 (0..1),
 * 0 when the profile is too short or nearly flat (std < 1.5).
 */
export function periodicity(profileIn: number[]): number {
  const n = profileIn.length;
  if (n < 12) return 0;
  const win = Math.max(9, Math.round(n / 5)) | 1;
  const half = win >> 1;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) {
      s += profileIn[j]!;
      c++;
    }
    x[i] = profileIn[i]! - s / c;
  }
  let r0 = 0;
  for (let i = 0; i < n; i++) r0 += x[i]! * x[i]!;
  if (Math.sqrt(r0 / n) < 1.5) return 0;
  const maxLag = Math.floor(n / 2);
  const r = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += x[i]! * x[i + lag]!;
    r[lag] = (s / (n - lag)) / (r0 / n);
  }
  let best = 0;
  for (let lag = 2; lag <= maxLag; lag++) {
    if (r[lag]! > r[lag - 1]! && r[lag]! >= r[lag + 1]! && r[lag]! > best) best = r[lag]!;
  }
  return Math.min(1, best);
}

function r3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
