import test from 'node:test';
import assert from 'node:assert/strict';
import { deltaE2000, labToRgb, rasterToLab, rgbToLab, type Lab } from './lab.ts';
import { COLOUR_NAMES, nearestColourName } from './names.ts';

test('sRGB → Lab matches reference values (D65)', () => {
  const close = (a: Lab, b: Lab, tol = 0.05) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < tol, `${a} vs ${b}`));
  close(rgbToLab(255, 255, 255), [100, 0, 0]);
  close(rgbToLab(0, 0, 0), [0, 0, 0]);
  close(rgbToLab(255, 0, 0), [53.24, 80.09, 67.2]);
  close(rgbToLab(0, 0, 255), [32.3, 79.19, -107.86]);
});

test('Lab → sRGB round-trips and the raster path agrees with the scalar one', () => {
  const data = new Uint8Array([12, 200, 99, 250, 3, 140, 128, 128, 128]);
  const lab = rasterToLab(data, 3);
  for (let i = 0; i < 3; i++) {
    const scalar = rgbToLab(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(lab[i * 3 + k]! - scalar[k]!) < 0.01);
    assert.deepEqual(labToRgb(scalar), [data[i * 3], data[i * 3 + 1], data[i * 3 + 2]]);
  }
});

test('CIEDE2000 matches Sharma et al. (2005) test pairs', () => {
  const pairs: Array<[Lab, Lab, number]> = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
  ];
  for (const [a, b, want] of pairs) assert.ok(Math.abs(deltaE2000(a, b) - want) < 1e-3, `${deltaE2000(a, b)} vs ${want}`);
});

test('the name table is well formed and each anchor names itself', () => {
  assert.ok(COLOUR_NAMES.length >= 40 && COLOUR_NAMES.length <= 60);
  assert.equal(new Set(COLOUR_NAMES.map((c) => c.name)).size, COLOUR_NAMES.length);
  for (const c of COLOUR_NAMES) {
    assert.match(c.hex, /^#[0-9a-f]{6}$/);
    assert.equal(nearestColourName(c.lab).name, c.name);
  }
});
