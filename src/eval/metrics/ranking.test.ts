import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecisionAtK, catalogueCoverage, mean, ndcgAtK, precisionAtK, rankingMetrics, recallAtK } from './ranking.ts';

// ranked a b c d e, relevant {a, c, x}: hits at ranks 1 and 3
const ranked = ['a', 'b', 'c', 'd', 'e'];
const rel = new Set(['a', 'c', 'x']);

test('recall@k and precision@k', () => {
  assert.equal(recallAtK(ranked, rel, 1), 1 / 3);
  assert.equal(recallAtK(ranked, rel, 5), 2 / 3);
  assert.equal(precisionAtK(ranked, rel, 2), 1 / 2);
  assert.equal(recallAtK(ranked, new Set<string>(), 5), 0);
});

test('ndcg@k by hand', () => {
  const dcg = 1 + 1 / Math.log2(4);
  const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
  assert.ok(Math.abs(ndcgAtK(ranked, rel, 5) - dcg / idcg) < 1e-12);
  // k=2: only 'a' hits; ideal has 2 hits
  assert.ok(Math.abs(ndcgAtK(ranked, rel, 2) - 1 / (1 + 1 / Math.log2(3))) < 1e-12);
  assert.equal(ndcgAtK(['a', 'c'], new Set(['a', 'c']), 2), 1);
});

test('ap@k by hand (divided by min(|rel|, k))', () => {
  assert.ok(Math.abs(averagePrecisionAtK(ranked, rel, 5) - (1 + 2 / 3) / 3) < 1e-12);
  assert.ok(Math.abs(averagePrecisionAtK(ranked, rel, 2) - 1 / 2) < 1e-12);
  assert.equal(averagePrecisionAtK(['z', 'y'], rel, 2), 0);
});

test('coverage, mean and named metrics', () => {
  assert.equal(catalogueCoverage([['a', 'b'], ['b', 'c']], 10), 0.3);
  assert.equal(mean([1, 2, 3]), 2);
  const m = rankingMetrics(ranked, rel, ['recall@5', 'map@2']);
  assert.equal(m['recall@5'], 2 / 3);
  assert.equal(m['map@2'], 1 / 2);
  assert.throws(() => rankingMetrics(ranked, rel, ['hits@3']), /unknown ranking metric/);
});
