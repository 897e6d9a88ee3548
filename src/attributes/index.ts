/**
 * Readable image attributes (no learned model): dominant named colours, a fixed-length colour histogram
 * and a pattern label, computed on the garment after studio-background removal.
 */
import { LookbookError } from '../errors.ts';
import type { ImageAttributes } from '../types.ts';
import { foregroundMask, type MaskOptions } from './colour/background.ts';
import { dominantColours, type DominantOptions } from './colour/dominant.ts';
import { coloursHarmony } from './colour/harmony.ts';
import { colourHistogram, histogramIntersection } from './colour/histogram.ts';
import { deltaE2000, rasterToLab, type Lab } from './colour/lab.ts';
import { describePattern } from './pattern/pattern.ts';

export { HISTOGRAM_LENGTH, HISTOGRAM_LABELS, histogramBin } from './colour/histogram.ts';
export { COLOUR_NAMES, colourFamily, nearestColourName, type ColourFamily } from './colour/names.ts';
export { rgbToLab, labToRgb, labToHex, deltaE76, deltaE2000, type Lab } from './colour/lab.ts';
export { PATTERN_LABELS, type PatternLabel } from './pattern/pattern.ts';

/** Packed RGB raster: 3 bytes per pixel, row-major, alpha already flattened. */
export interface RgbRaster {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface AttributeOptions {
  mask?: MaskOptions;
  colours?: DominantOptions;
  /** Skip the pattern descriptor. */
  pattern?: boolean;
}

/** Dominant colours, histogram, foreground share and pattern of one garment image. */
export function extractAttributes(raster: RgbRaster, opts: AttributeOptions = {}): ImageAttributes {
  const { data, width, height } = raster;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `raster size must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new LookbookError(
      'LB_ERR_INVALID_ARGUMENT',
      `raster data has ${data.length} bytes, expected ${width * height * 3} (3 per pixel for ${width}×${height})`,
    );
  }
  const lab = rasterToLab(data, width * height);
  const fg = foregroundMask(lab, width, height, opts.mask);
  // Edge pixels blend garment and background: use the interior when enough of it remains.
  const select = fg.interiorCount >= 0.4 * fg.count ? fg.interior : fg.mask;
  const colours = dominantColours(data, lab, select, opts.colours);
  const histogram = colourHistogram(lab, select);
  const attrs: ImageAttributes = { colours, histogram, foreground: Math.round(fg.share * 10000) / 10000 };
  if (opts.pattern !== false) {
    attrs.pattern = describePattern({ lab, width, height, interior: fg.interior, colours });
    attrs.pattern.scores.maskFallback = fg.fallback ? 1 : 0;
  }
  return attrs;
}

/**
 * Colour names of `a` that also appear in `b`: same name, or a colour of b within maxDeltaE (CIEDE2000).
 * In `a`'s order (largest share first).
 */
export function sharedColourNames(a: ImageAttributes, b: ImageAttributes, maxDeltaE = 10): string[] {
  const out: string[] = [];
  for (const x of a.colours) {
    const match = b.colours.some((y) => y.name === x.name || deltaE2000(x.lab as Lab, y.lab as Lab) <= maxDeltaE);
    if (match && !out.includes(x.name)) out.push(x.name);
  }
  return out;
}

/** Colour similarity 0..1: histogram intersection of the two garments' colour histograms. */
export function colourSimilarity(a: ImageAttributes, b: ImageAttributes): number {
  return histogramIntersection(a.histogram, b.histogram);
}

/** Colour harmony 0..1 of two garments worn together (heuristic; see colour/harmony.ts). */
export function colourHarmony(a: ImageAttributes, b: ImageAttributes): number {
  return coloursHarmony(a.colours, b.colours);
}
