import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runIndexConformance } from '../common.case.test.ts';
import { ExactIndex } from './exact-index.ts';
import { topKDot } from './top-k.ts';

runIndexConformance('exact', {
  make: (dim, metric) => new ExactIndex({ dim, metric }),
  load: (file) => ExactIndex.load(file),
  minRecall: 1,
});

it('topKDot: hand-computed scores, ties broken by row, subset respected', () => {
  const m = new Float32Array([1, 0, 0, 1, 1, 0, 0.6, 0.8]);
  const r = topKDot(m, 2, new Float32Array([1, 0]), 3);
  assert.deepEqual([...r.rows], [0, 2, 3]);
  assert.deepEqual([...r.scores].map((s) => Math.round(s * 100) / 100), [1, 1, 0.6]);
  const s = topKDot(m, 2, new Float32Array([0, 1]), 2, [0, 2, 3]);
  assert.deepEqual([...s.rows], [3, 0]);
});
