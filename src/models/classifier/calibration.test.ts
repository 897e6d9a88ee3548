import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, expectedCalibrationError, fitTemperature, macroF1, nll, softmaxRows } from './calibration.ts';
import { makeRng } from './random.ts';

test('ECE of hand-made predictions', () => {
  // Two rows at confidence 0.9 (one right, one wrong) → |0.5 − 0.9| = 0.4.
  const probs = Float32Array.from([0.9, 0.1, 0.9, 0.1]);
  assert.ok(Math.abs(expectedCalibrationError(probs, 2, [0, 1]) - 0.4) < 1e-6);
});

test('temperature scaling recovers the temperature of over-confident logits and lowers NLL', () => {
  const rng = makeRng(3);
  const n = 2000;
  const c = 3;
  const logits = new Float32Array(n * c);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) logits[i * c + j] = (rng() * 2 - 1) * 2;
    // Sample the label from softmax(logits), then make the logits 3× over-confident.
    const p = softmaxRows(logits.subarray(i * c, i * c + c), c);
    const u = rng();
    y[i] = u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2;
    for (let j = 0; j < c; j++) logits[i * c + j]! *= 3;
  }
  const t = fitTemperature(logits, c, y);
  assert.ok(t > 2.4 && t < 3.6, `temperature ${t}`);
  assert.ok(nll(softmaxRows(logits, c, t), c, y) < nll(softmaxRows(logits, c), c, y));
});

test('decision bias shifts argmax; macro-F1 of perfect and constant predictions', () => {
  const probs = Float32Array.from([0.6, 0.4]);
  assert.equal(decide(probs, 2)[0], 0);
  assert.equal(decide(probs, 2, [0, 1])[0], 1);
  assert.equal(macroF1([0, 1, 1], [0, 1, 1], 2), 1);
  assert.equal(macroF1([0, 1], [0, 0], 2), (2 / 3 + 0) / 2);
});
