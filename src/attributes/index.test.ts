import test from 'node:test';
import assert from 'node:assert/strict';
import {
  HISTOGRAM_LENGTH,
  colourFamily,
  colourHarmony,
  colourSimilarity,
  extractAttributes,
  sharedColourNames,
  type RgbRaster,
} from './index.ts';
import { mulberry32 } from './colour/kmeans.ts';
import { isLookbookError } from '../errors.ts';

type RGB = [number, number, number];

/** A w×h raster filled by paint(x, y), with seeded ±noise per channel (like JPEG/sensor noise). */
function raster(w: number, h: number, paint: (x: number, y: number) => RGB, noise = 3, seed = 1): RgbRaster {
  const rand = mulberry32(seed);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = paint(x, y);
      for (let k = 0; k < 3; k++) {
        const v = c[k]! + Math.round((rand() * 2 - 1) * noise);
        data[(y * w + x) * 3 + k] = Math.max(0, Math.min(255, v));
      }
    }
  }
  return { data, width: w, height: h };
}

const WHITE: RGB = [255, 255, 255];
const RED: RGB = [200, 40, 45];
const BLUE: RGB = [45, 90, 185];
const YELLOW: RGB = [245, 215, 40];
const NAVY: RGB = [30, 42, 72];
const inBox = (x: number, y: number, x0: number, y0: number, x1: number, y1: number): boolean =>
  x >= x0 && x < x1 && y >= y0 && y < y1;

test('a red square on white is red, with the background excluded', () => {
  const a = extractAttributes(raster(96, 96, (x, y) => (inBox(x, y, 24, 24, 72, 72) ? RED : WHITE)));
  assert.equal(a.colours[0]?.name, 'red');
  assert.ok(a.colours[0]!.share > 0.95, `share ${a.colours[0]!.share}`);
  assert.ok(!a.colours.some((c) => c.name === 'white'), JSON.stringify(a.colours));
  assert.ok(Math.abs(a.foreground - 0.25) < 0.03, `foreground ${a.foreground}`);
  assert.equal(a.pattern?.label, 'solid');
});

test('a two-colour garment gives both colours with roughly the right shares', () => {
  // 48×60 garment: top 60 % blue, bottom 40 % yellow, on light grey.
  const a = extractAttributes(
    raster(96, 96, (x, y) => (inBox(x, y, 24, 18, 72, 78) ? (y < 18 + 36 ? BLUE : YELLOW) : [232, 232, 232])),
  );
  const blue = a.colours.find((c) => colourFamily(c.name) === 'blue');
  const yellow = a.colours.find((c) => colourFamily(c.name) === 'yellow');
  assert.ok(blue && yellow, JSON.stringify(a.colours));
  assert.ok(Math.abs(blue.share - 0.6) < 0.08, `blue share ${blue.share}`);
  assert.ok(Math.abs(yellow.share - 0.4) < 0.08, `yellow share ${yellow.share}`);
  assert.equal(a.colours[0], blue);
});

test('a garment on a plain coloured background keeps only the garment', () => {
  const a = extractAttributes(raster(80, 100, (x, y) => (inBox(x, y, 20, 20, 60, 85) ? [25, 25, 27] : [150, 190, 225])));
  assert.equal(a.colours.length, 1, JSON.stringify(a.colours));
  assert.equal(a.colours[0]!.name, 'black');
});

test('stripes are striped (both orientations), checks are checked, a flat colour is solid', () => {
  const garment = (inner: (x: number, y: number) => RGB) => (x: number, y: number): RGB =>
    inBox(x, y, 16, 16, 112, 112) ? inner(x, y) : WHITE;
  const hStripes = extractAttributes(raster(128, 128, garment((_x, y) => (Math.floor(y / 4) % 2 ? RED : NAVY))));
  const vStripes = extractAttributes(raster(128, 128, garment((x) => (Math.floor(x / 5) % 2 ? BLUE : YELLOW))));
  const checks = extractAttributes(
    raster(128, 128, garment((x, y) => ((Math.floor(x / 6) + Math.floor(y / 6)) % 2 ? RED : NAVY))),
  );
  const flat = extractAttributes(raster(128, 128, garment(() => BLUE)));
  assert.equal(hStripes.pattern?.label, 'striped', JSON.stringify(hStripes.pattern));
  assert.equal(vStripes.pattern?.label, 'striped', JSON.stringify(vStripes.pattern));
  assert.equal(checks.pattern?.label, 'checked', JSON.stringify(checks.pattern));
  assert.equal(flat.pattern?.label, 'solid', JSON.stringify(flat.pattern));
  assert.ok(hStripes.pattern!.scores.rowPeriodicity! > hStripes.pattern!.scores.colPeriodicity!);
  assert.ok(vStripes.pattern!.scores.colPeriodicity! > vStripes.pattern!.scores.rowPeriodicity!);
});

test('the histogram has the fixed length and sums to 1', () => {
  for (const r of [
    raster(60, 80, (x, y) => (inBox(x, y, 10, 10, 50, 70) ? [(x * 37) % 256, (y * 53) % 256, 128] : WHITE), 5),
    raster(60, 80, () => WHITE),
  ]) {
    const a = extractAttributes(r);
    assert.equal(a.histogram.length, HISTOGRAM_LENGTH);
    assert.ok(Math.abs(a.histogram.reduce((s, v) => s + v, 0) - 1) < 1e-9);
    assert.ok(a.histogram.every((v) => v >= 0));
  }
});

test('a white shirt on white falls back to the centre and is reported as white', () => {
  const a = extractAttributes(raster(60, 80, (x, y) => (inBox(x, y, 12, 10, 48, 70) ? [252, 252, 251] : WHITE), 1));
  assert.ok(a.foreground > 0);
  assert.equal(a.pattern?.scores.maskFallback, 1);
  assert.equal(colourFamily(a.colours[0]!.name), 'white', JSON.stringify(a.colours));
});

test('extraction is deterministic', () => {
  const r = raster(90, 120, (x, y) => (inBox(x, y, 15, 15, 75, 105) ? [(x * 11) % 200, (y * 7) % 200, 90] : WHITE), 12, 7);
  assert.deepEqual(extractAttributes(r), extractAttributes(r));
});

test('rejects a raster whose byte length does not match its size', () => {
  assert.throws(
    () => extractAttributes({ data: new Uint8Array(10), width: 4, height: 4 }),
    (e: unknown) => isLookbookError(e) && e.code === 'LB_ERR_INVALID_ARGUMENT',
  );
});

test('explanation helpers: shared names, similarity, harmony', () => {
  const on = (c: RGB) => extractAttributes(raster(64, 64, (x, y) => (inBox(x, y, 16, 16, 48, 48) ? c : WHITE)));
  const red = on(RED);
  const red2 = on([205, 45, 40]);
  const black = on([25, 25, 27]);
  const lime: RGB = [150, 205, 50];
  const limeShirt = on(lime);
  assert.deepEqual(sharedColourNames(red, red2), ['red']);
  assert.deepEqual(sharedColourNames(red, black), []);
  assert.ok(colourSimilarity(red, red2) > 0.9);
  assert.ok(colourSimilarity(red, black) < 0.1);
  for (const [a, b] of [[red, black], [red, limeShirt], [red, red2]] as const) {
    const h = colourHarmony(a, b);
    assert.ok(h >= 0 && h <= 1, `harmony ${h}`);
    assert.equal(h, colourHarmony(b, a));
  }
  // Neutrals go with everything; two loud hues ~90° apart clash.
  assert.ok(colourHarmony(red, black) > colourHarmony(red, limeShirt));
});
