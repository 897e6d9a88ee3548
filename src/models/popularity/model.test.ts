import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InteractionData } from '../../events/interactions.ts';
import { Recommender } from '../recommender.ts';
import { PopularityRecommender } from './model.ts';

const DAY = 86_400_000;
const ev = (u: string, i: string, t: number) => ({ userId: u, itemId: i, kind: 'view', value: null, timestamp: t });
// "old" has 3 users long ago, "new" has 2 users recently
const data = InteractionData.fromEvents([ev('a', 'old', 0), ev('b', 'old', 0), ev('c', 'old', 0), ev('d', 'new', 100 * DAY), ev('e', 'new', 100 * DAY), ev('e', 'cold', 99 * DAY)]);

test('popularity counts users; recency decay favours recent items; unknown users get the same list', async () => {
  const plain = await new PopularityRecommender().fit(data);
  assert.deepEqual(plain.recommend('nobody', 3).map((r) => r.itemId), ['old', 'new', 'cold']);
  const decayed = await new PopularityRecommender({ halfLifeDays: 10 }).fit(data);
  assert.deepEqual(decayed.recommend('nobody', 2).map((r) => r.itemId), ['new', 'cold']);
  // removeSeen leaves out the user's own items
  assert.deepEqual(plain.recommend('e', 3).map((r) => r.itemId), ['old']);
  assert.equal(plain.explain(0, data.itemIndex.get('old')!)?.kind, 'popular');
  // logScale: same order, log(1 + count) scores
  const logged = await new PopularityRecommender({ logScale: true }).fit(data);
  assert.deepEqual(logged.recommend('nobody', 3).map((r) => r.itemId), ['old', 'new', 'cold']);
  assert.ok(Math.abs(logged.score(-1, [data.itemIndex.get('old')!])[0]! - Math.log(4)) < 1e-6);
});

test('save/load round-trips to identical scores', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-pop-'));
  try {
    const m = await new PopularityRecommender({ halfLifeDays: 10 }).fit(data);
    await m.save(dir);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    assert.equal(meta.class, 'PopularityRecommender');
    const back = await Recommender.load(dir);
    assert.ok(back instanceof PopularityRecommender);
    assert.deepEqual(back.score(1), m.score(1));
    await assert.rejects(Recommender.load(path.join(dir, 'missing')), { code: 'LB_ERR_MODEL_FORMAT' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
