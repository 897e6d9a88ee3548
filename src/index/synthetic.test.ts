import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusteredStream, hash2, recallAtK } from './synthetic.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, j) => s + x * b[j], 0);

test('ClusteredStream regenerates any row deterministically from (seed, i)', () => {
  const a = new ClusteredStream({ n: 1000, dim: 33, seed: 7 });
  const b = new ClusteredStream({ n: 1000, dim: 33, seed: 7 });
  const batch = a.rows(500, 10);
  for (const i of [503, 509, 500]) assert.deepEqual(b.row(i), batch.subarray((i - 500) * 33, (i - 499) * 33));
  assert.notDeepEqual(a.row(1), a.row(2));
  assert.notDeepEqual(new ClusteredStream({ n: 1000, dim: 33, seed: 8 }).row(1), a.row(1));
  assert.throws(() => a.row(1000), RangeError);
});

test('ClusteredStream rows are unit vectors near their centre', () => {
  const s = new ClusteredStream({ n: 400, dim: 64, seed: 3 });
  assert.equal(s.clusters, 20);
  const labels = new Set<number>();
  let same = 0;
  let other = 0;
  for (let i = 0; i < 400; i++) {
    const v = s.row(i);
    assert.ok(Math.abs(dot(v, v) - 1) < 1e-5);
    const c = s.label(i);
    labels.add(c);
    same += dot(v, s.centres.subarray(c * 64, (c + 1) * 64));
    const o = (c + 1) % s.clusters;
    other += dot(v, s.centres.subarray(o * 64, (o + 1) * 64));
  }
  assert.ok(labels.size >= 15, `only ${labels.size} clusters used`);
  assert.ok(same / 400 > 0.8, `mean similarity to own centre ${same / 400}`);
  assert.ok(Math.abs(other / 400) < 0.2, `mean similarity to another centre ${other / 400}`);
});

test('hash2 spreads neighbouring inputs', () => {
  const seen = new Set(Array.from({ length: 1000 }, (_, i) => hash2(7, i)));
  assert.equal(seen.size, 1000);
  assert.notEqual(hash2(7, 1), hash2(8, 1));
});

test('recallAtK counts overlaps', () => {
  assert.equal(recallAtK([[1, 2, 3]], [[3, 2, 9]], 3), 2 / 3);
});
