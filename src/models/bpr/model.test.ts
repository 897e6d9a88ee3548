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
import { BprRecommender } from './model.ts';

test('BPR beats popularity on a RentTheRunway temporal sample, is seeded, and save/load keeps scores', async (t) => {
  const dir = requireDataset(t, 'renttherunway');
  if (!dir) return;
  const { events } = await loadRentTheRunway(dir);
  const { train, cases } = await temporalCases(activeUsers(events, 10), 0.2);
  const pop = evaluateCases(await new PopularityRecommender().fit(train), cases).metrics;
  const bpr = await new BprRecommender({ epochs: 5, halfLifeDays: 60, seed: 1 }).fit(train);
  const m = evaluateCases(bpr, cases).metrics;
  console.log(`# bpr recall@20 ${m['recall@20']!.toFixed(4)} vs popularity ${pop['recall@20']!.toFixed(4)} (${cases.length} users)`);
  assert.ok(m['recall@20']! > pop['recall@20']!);

  // new user from liked items: fold-in gives finite, non-constant scores
  const s = bpr.score(bpr.profileOf([train.itemIds[0]!, train.itemIds[1]!]));
  assert.ok(s.every(Number.isFinite));
  assert.ok(Math.max(...s) > Math.min(...s));

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-bpr-'));
  try {
    await bpr.save(out);
    const back = await Recommender.load(out);
    for (const u of [0, 3, 99]) assert.deepEqual(back.score(u), bpr.score(u));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
