/**
 * Fixed-binning colour histogram over the garment pixels, in Lab/LCh:
 * 8 hue sectors × 3 bands (dark, muted, vivid) for chromatic pixels + 4 lightness bins for neutrals.
 * The layout never changes for a given HISTOGRAM_LENGTH (stored features depend on it).
 */

export const HUE_BINS = 8;
export const HUE_BANDS = ['dark', 'muted', 'vivid'] as const;
export const NEUTRAL_BINS = ['black', 'dark grey', 'light grey', 'white'] as const;
export const HISTOGRAM_LENGTH = HUE_BINS * HUE_BANDS.length + NEUTRAL_BINS.length; // 28

/** Pixels with chroma below this count as neutral. */
export const NEUTRAL_CHROMA = 10;

/** Hue sector labels (Lab hue angle, 45° each starting at 0°: roughly pink-red, red-orange, …). */
const HUE_LABELS = ['red', 'orange', 'yellow', 'yellow-green', 'green', 'cyan', 'blue', 'purple'];

/** Human-readable label of each histogram bin, index-aligned with the histogram. */
export const HISTOGRAM_LABELS: readonly string[] = [
  ...HUE_LABELS.flatMap((h) => HUE_BANDS.map((b) => `${b} ${h}`)),
  ...NEUTRAL_BINS,
];

/** Bin index of one Lab colour. */
export function histogramBin(L: number, a: number, b: number): number {
  const C = Math.sqrt(a * a + b * b);
  if (C < NEUTRAL_CHROMA) {
    return HUE_BINS * HUE_BANDS.length + (L < 25 ? 0 : L < 55 ? 1 : L < 80 ? 2 : 3);
  }
  let h = Math.atan2(b, a);
  if (h < 0) h += 2 * Math.PI;
  const sector = Math.min(HUE_BINS - 1, Math.floor((h / (2 * Math.PI)) * HUE_BINS));
  const band = L < 35 ? 0 : C < 30 ? 1 : 2;
  return sector * HUE_BANDS.length + band;
}

/** Normalised histogram (sums to 1; all zeros only when no pixel is selected). */
export function colourHistogram(lab: Float32Array, select: Uint8Array): number[] {
  const h = new Float64Array(HISTOGRAM_LENGTH);
  let total = 0;
  for (let p = 0; p < select.length; p++) {
    if (!select[p]) continue;
    h[histogramBin(lab[p * 3]!, lab[p * 3 + 1]!, lab[p * 3 + 2]!)] += 1;
    total++;
  }
  const out = new Array<number>(HISTOGRAM_LENGTH);
  for (let i = 0; i < HISTOGRAM_LENGTH; i++) out[i] = total > 0 ? h[i]! / total : 0;
  return out;
}

/** Histogram intersection, 0..1 (1 = identical distributions). */
export function histogramIntersection(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.min(a[i]!, b[i]!);
  return s;
}
