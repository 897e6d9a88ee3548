import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { activeUsers, loadRentTheRunway } from '../../events/datasets.ts';
import { requireDataset } from '../../testing/datasets.ts';
import { PopularityRecommender } from '../popularity/model.ts';
import { Recommender } from '../recommender.ts';
import { evaluateCases, temporalCases } from './evaluate.ts';
import { HybridRecommender } from './model.ts';

test('hybrid (tuned on a validation split of train) beats popularity on a RentTheRunway sample; unknown users fall back; save/load', async (t) => {
  const dir = requireDataset(t, 'renttherunway');
  if (!dir) return;
  const { events } = await loadRentTheRunway(dir);
  const { train, cases } = await temporalCases(activeUsers(events, 5), 0.2);
  const pop = evaluateCases(await new PopularityRecommender().fit(train), cases).metrics;
  const h = await new HybridRecommender({
    components: [{ name: 'popularity', config: { halfLifeDays: 30 } }, { name: 'item-knn' }, { name: 'bpr', config: { epochs: 8, halfLifeDays: 60 } }],
    grid: [0, 0.5, 1, 2],
  }).fit(train);
  const m = evaluateCases(h, cases).metrics;
  console.log(`# hybrid recall@20 ${m['recall@20']!.toFixed(4)} vs popularity ${pop['recall@20']!.toFixed(4)}; weights ${h.weights}`);
  assert.ok(m['recall@20']! > pop['recall@20']!);
  assert.ok(h.tuning.length > 1);

  // an unknown user gets the recency-popularity part, not a constant list
  const s = h.score(-1);
  assert.ok(Math.max(...s) > Math.min(...s));

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-hybrid-'));
  try {
    await h.save(out);
    const back = (await Recommender.load(out)) as HybridRecommender;
    assert.deepEqual(back.weights, h.weights);
    for (const u of [0, 11]) assert.deepEqual(back.score(u), h.score(u));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
