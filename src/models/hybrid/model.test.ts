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
  const { train, cases } = await temporalCases(activeUsers(events, 10), 0.2);
  const pop = evaluateCases(await new PopularityRecommender().fit(train), cases).metrics;
  const h = await new HybridRecommender({
    components: [{ name: 'popularity', config: { halfLifeDays: 30 } }, { name: 'item-knn' }, { name: 'bpr', config: { epochs: 4, halfLifeDays: 60 } }],
    grid: [0, 1, 2],
    maxValidationUsers: 300,
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

test('a shortlist keeps items outside the top-N of the popularity component after the shortlisted ones', async () => {
  const { InteractionData } = await import('../../events/interactions.ts');
  const ev = (u: string, i: string, t: number) => ({ userId: u, itemId: i, kind: 'view', value: null, timestamp: t });
  // "hot" items are rented by many users recently; "x" co-occurs with "a" but is rarely rented
  const events = [ev('u1', 'a', 1), ev('u1', 'x', 1), ev('u2', 'a', 1), ev('u2', 'x', 1)];
  for (let u = 3; u < 12; u++) events.push(ev(`u${u}`, 'hot1', 100), ev(`u${u}`, 'hot2', 100), ev(`u${u}`, 'hot3', 100));
  const data = InteractionData.fromEvents(events);
  const cfg = { tune: false, components: [{ name: 'popularity', weight: 0.1 }, { name: 'item-knn', weight: 4 }] };
  const plain = await new HybridRecommender(cfg).fit(data);
  const shortlisted = await new HybridRecommender({ ...cfg, shortlistSizes: [3] }).fit(data);
  const profile = plain.profileOf(['a']);
  const top = (m: HybridRecommender) => m.rank(profile, { k: 1, exclude: new Set(profile.itemIdxs) })[0]!.idx;
  assert.equal(data.itemIds[top(plain)], 'x', 'without a shortlist the co-occurring item wins');
  assert.notEqual(data.itemIds[top(shortlisted)], 'x', 'x is not among the 3 most popular items');
  assert.equal(shortlisted.shortlistSize, 3);
});
