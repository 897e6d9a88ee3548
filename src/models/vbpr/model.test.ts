import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InteractionData } from '../../events/interactions.ts';
import { BprRecommender } from '../bpr/model.ts';
import { Recommender, rng, type ItemFeatures } from '../recommender.ts';
import { VbprRecommender } from './model.ts';

// Two visual clusters of items (16-d features around two directions). Users of group A only touch
// A items, group B only B items. Items a-cold / b-cold have features but no interactions.
function world() {
  const rand = rng(3);
  const D = 16;
  const ids: string[] = [];
  const vecs: number[] = [];
  const add = (id: string, centre: number) => {
    const v = Array.from({ length: D }, (_, d) => (d === centre ? 1 : 0) + (rand() - 0.5) * 0.3);
    const n = Math.hypot(...v);
    ids.push(id);
    vecs.push(...v.map((x) => x / n));
  };
  for (let i = 0; i < 12; i++) add(`a${i}`, 0);
  for (let i = 0; i < 12; i++) add(`b${i}`, 1);
  add('a-cold', 0);
  add('b-cold', 1);
  const events = [];
  for (let u = 0; u < 40; u++) {
    const g = u % 2 === 0 ? 'a' : 'b';
    for (let k = 0; k < 5; k++) events.push({ userId: `u${u}`, itemId: `${g}${Math.floor(rand() * 12)}`, kind: 'like', value: null, timestamp: 0 });
  }
  const features: ItemFeatures = { ids, dim: D, vectors: Float32Array.from(vecs) };
  return { train: InteractionData.fromEvents(events, { itemIds: ids }), features };
}

test('VBPR ranks items nobody has touched by their look; BPR cannot', async () => {
  const { train, features } = world();
  const vbpr = await new VbprRecommender({ epochs: 40, projectionDim: 8, seed: 5 }).fit(train, { itemFeatures: features });
  const bpr = await new BprRecommender({ epochs: 40, seed: 5 }).fit(train);
  const aCold = train.itemIndex.get('a-cold')!;
  const bCold = train.itemIndex.get('b-cold')!;
  let right = 0;
  for (let u = 0; u < train.nUsers; u++) {
    const s = vbpr.score(u, [aCold, bCold]);
    const wantA = Number(train.userIds[u]!.slice(1)) % 2 === 0;
    if (wantA === s[0]! > s[1]!) right++;
    const b = bpr.score(u, [aCold, bCold]);
    assert.equal(b[0], b[1]); // no signal for untouched items
  }
  assert.ok(right >= 0.9 * train.nUsers, `VBPR ordered the cold items right for ${right}/${train.nUsers} users`);
  // a new user who liked two A items gets the cold A item above the cold B item, with a visual reason
  const p = vbpr.profileOf(['a1', 'a2']);
  const s = vbpr.score(p, [aCold, bCold]);
  assert.ok(s[0]! > s[1]!);
  assert.equal(vbpr.explain(p, aCold)?.kind, 'visual');
});

test('VBPR requires features and round-trips through save/load', async () => {
  const { train, features } = world();
  await assert.rejects(new VbprRecommender({ epochs: 1 }).fit(train), { code: 'LB_ERR_NO_FEATURES' });
  const m = await new VbprRecommender({ epochs: 5, projectionDim: 8 }).fit(train, { itemFeatures: features });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-vbpr-'));
  try {
    await m.save(dir);
    const back = await Recommender.load(dir);
    for (const u of [0, 1, 7]) assert.deepEqual(back.score(u), m.score(u));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
