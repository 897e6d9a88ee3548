import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isLookbookError } from '../../errors.ts';
import { gatherRows, makeRng } from '../classifier/random.ts';
import { MetricSpace } from './metric-space.ts';
import { retrievalAtK } from './retrieval.ts';

/** Classes differ only in 6 of 96 dims; the other dims carry large shared noise. Rows are L2-normalised. */
function data(n: number, seed: number, centres: Float32Array[]) {
  const rng = makeRng(seed);
  const d = 96;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % centres.length;
    y[i] = k;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = (j < 6 ? centres[k]![j]! : 0) + (rng() * 2 - 1) * (j < 6 ? 0.3 : 0.9);
      x[i * d + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < d; j++) x[i * d + j]! /= Math.sqrt(norm);
  }
  return { x, y, d };
}

test('retrievalAtK counts same-label neighbours and excludes the query itself', async () => {
  // Four 2-d points: two pairs of identical directions.
  const v = Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1]);
  const r = await retrievalAtK(v, 2, [0, 0, 1, 1], 1);
  assert.equal(r.precisionAtK, 1);
  const wrong = await retrievalAtK(v, 2, [0, 1, 0, 1], 1);
  assert.equal(wrong.precisionAtK, 0);
});

test('learned projection lowers its loss and improves P@10 on held-out items of the same classes', async () => {
  const rng = makeRng(9);
  const centres = Array.from({ length: 8 }, () => Float32Array.from({ length: 6 }, () => (rng() * 2 - 1) * 1.2));
  const tr = data(1600, 1, centres);
  const te = data(400, 2, centres);
  const space = await MetricSpace.fit(
    { x: tr.x, inputDim: tr.d, labels: tr.y, classes: centres.map((_, i) => `c${i}`), labelColumn: 'syn', backbone: 'synthetic' },
    { dim: 16, maxEpochs: 12, patience: 12, batchSize: 128, learningRate: 5e-3 },
  );
  assert.ok(space.meta.metrics.lastEpochLoss! < space.meta.metrics.firstEpochLoss!, JSON.stringify(space.meta.metrics));
  const raw = await retrievalAtK(te.x, te.d, te.y, 10);
  const projected = await space.project(te.x);
  assert.equal(projected.length, 400 * 16);
  for (let i = 0; i < 400; i += 50) {
    const n = Math.hypot(...projected.subarray(i * 16, i * 16 + 16));
    assert.ok(Math.abs(n - 1) < 1e-4);
  }
  const learned = await retrievalAtK(projected, 16, te.y, 10);
  console.log(`# held-out P@10 raw ${raw.precisionAtK.toFixed(3)} learned ${learned.precisionAtK.toFixed(3)}`);
  assert.ok(learned.precisionAtK > raw.precisionAtK + 0.15, `raw ${raw.precisionAtK} learned ${learned.precisionAtK}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-space-'));
  try {
    space.save(dir);
    const again = MetricSpace.load(dir);
    assert.deepEqual(await again.project(gatherRows(te.x, te.d, [0, 1, 2])), projected.slice(0, 48));
    const one = again.projectOne(te.x.slice(te.d, 2 * te.d));
    for (let j = 0; j < 16; j++) assert.ok(Math.abs(one[j]! - projected[16 + j]!) < 1e-4);
    assert.throws(() => MetricSpace.load(path.join(dir, 'nope')), (e) => isLookbookError(e) && e.code === 'LB_ERR_MODEL_FORMAT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
