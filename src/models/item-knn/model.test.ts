import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { activeUsers, loadRentTheRunway } from '../../events/datasets.ts';
import { requireDataset } from '../../testing/datasets.ts';
import { evaluateCases, temporalCases } from '../hybrid/evaluate.ts';
import { PopularityRecommender } from '../popularity/model.ts';
import { Recommender } from '../recommender.ts';
import { ItemKnnRecommender } from './model.ts';

test('item-kNN beats popularity on a RentTheRunway temporal sample; new users get neighbours of their liked items; save/load', async (t) => {
  const dir = requireDataset(t, 'renttherunway');
  if (!dir) return;
  const { events } = await loadRentTheRunway(dir);
  const { train, cases } = await temporalCases(activeUsers(events, 10), 0.2);
  const pop = evaluateCases(await new PopularityRecommender().fit(train), cases).metrics;
  const knn = await new ItemKnnRecommender().fit(train);
  const m = evaluateCases(knn, cases).metrics;
  console.log(`# item-knn recall@20 ${m['recall@20']!.toFixed(4)} vs popularity ${pop['recall@20']!.toFixed(4)} (${cases.length} users)`);
  assert.ok(m['recall@20']! > pop['recall@20']!);
  assert.ok(m['ndcg@20']! > pop['ndcg@20']!);

  // cold-start user: a liked item's top neighbours come back first
  const counts = train.itemCounts();
  const liked = counts.indexOf(Math.max(...counts));
  const nbrs = knn.neighboursOf(liked).slice(0, 5).map((n) => train.itemIds[n.idx]);
  assert.ok(nbrs.length === 5);
  const recs = knn.rank(knn.profileOf([train.itemIds[liked]!]), { k: 5, exclude: new Set([liked]) }).map((r) => train.itemIds[r.idx]);
  assert.deepEqual(recs, nbrs);
  assert.equal(knn.explain({ itemIdxs: [liked] }, train.itemIndex.get(recs[0]!)!)?.itemIdx, liked);

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-knn-'));
  try {
    await knn.save(out);
    const back = await Recommender.load(out);
    for (const u of [0, 5, 17]) assert.deepEqual(back.score(u), knn.score(u));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
