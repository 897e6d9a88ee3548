import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classificationReport } from './style.ts';

test('classificationReport: accuracy, per-class P/R/F1, macro-F1 over all and frequent classes, confusion', () => {
  // true:  A A A B B C ; pred: A A B B C C
  const r = classificationReport([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['A', 'B', 'C'], new Set([0, 1]));
  assert.equal(r.accuracy, 4 / 6);
  assert.deepEqual(r.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  const [a, b, c] = r.perClass;
  assert.equal(a!.precision, 1);
  assert.equal(a!.recall, 2 / 3);
  assert.equal(b!.precision, 0.5);
  assert.equal(b!.recall, 0.5);
  assert.equal(c!.precision, 0.5);
  assert.equal(c!.recall, 1);
  const f1 = (p: number, q: number) => (2 * p * q) / (p + q);
  assert.ok(Math.abs(r.macroF1 - (f1(1, 2 / 3) + 0.5 + f1(0.5, 1)) / 3) < 1e-12);
  assert.ok(Math.abs(r.macroF1Frequent - (f1(1, 2 / 3) + 0.5) / 2) < 1e-12);
});
