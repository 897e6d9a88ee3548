import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigSchema } from '../config/index.ts';
import type { LookbookContext } from '../context.ts';
import { LookbookError, isLookbookError } from '../errors.ts';
import { recordEvent } from '../events/import.ts';
import { silentLogger } from '../logging/index.ts';
import type { ItemKnnRecommender } from '../models/item-knn/model.ts';
import { Recommender, rng } from '../models/recommender.ts';
import { openStore } from '../store/index.ts';
import type { InteractionEvent, Item } from '../types.ts';
import { allowedItemIds, recommendForUser } from './recommend.ts';
import { loadRecommender, recommend, trainRecommender } from './recommender-service.ts';

// Two taste groups over 60 items (30 dresses, 30 tops): group A rents items 0..9 of each category,
// group B items 10..19; items 20..29 are never touched. 48 users × 6 events, times increasing.
const DAY = 86_400_000;
const group = (u: number) => (u % 2 === 0 ? 0 : 10);
async function fixture() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-rec-'));
  const store = await openStore({ dataDir });
  const items: Item[] = [];
  for (const cat of ['dress', 'top']) {
    for (let i = 0; i < 30; i++) {
      items.push({ id: `${cat[0]}${i}`, imagePath: null, contentHash: null, title: `${cat} ${i}`, category: cat, colour: null, gender: null, price: 10 + i, meta: {} });
    }
  }
  await store.upsertItems(items);
  const rand = rng(7);
  const events: InteractionEvent[] = [];
  for (let u = 0; u < 48; u++) {
    for (let k = 0; k < 6; k++) {
      const id = `${rand() < 0.5 ? 'd' : 't'}${group(u) + Math.floor(rand() * 10)}`;
      events.push({ userId: `u${u}`, itemId: id, kind: k === 5 ? 'purchase' : 'view', value: null, timestamp: 1_600_000_000_000 + (u * 6 + k) * DAY });
    }
  }
  await store.addEvents(events);
  const ctx: LookbookContext = {
    config: ConfigSchema.parse({ dataDir }),
    store,
    logger: silentLogger,
    backboneName: 'none',
    embedder: () => Promise.reject(new LookbookError('LB_ERR_BACKBONE', 'no backbone in this test')),
  };
  const cleanup = async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { ctx, store, dataDir, events, cleanup };
}
const inGroup = (id: string, g: number) => {
  const n = Number(id.slice(1));
  return n >= g && n < g + 10;
};

test('service: no model → LB_ERR_MODEL_MISSING; no events → clear error; train/save/register/load round-trip', async () => {
  const { ctx, store, dataDir, cleanup } = await fixture();
  try {
    await assert.rejects(loadRecommender(ctx), (e) => isLookbookError(e) && e.code === 'LB_ERR_MODEL_MISSING' && /train recommender/.test(e.message));
    await assert.rejects(recommend(ctx, { userId: 'u0' }), (e) => isLookbookError(e) && e.code === 'LB_ERR_MODEL_MISSING');

    const progress: string[] = [];
    const first = await trainRecommender(ctx, {
      model: 'hybrid',
      config: { components: [{ name: 'popularity', config: { halfLifeDays: 30 } }, { name: 'item-knn' }, { name: 'bpr', config: { epochs: 3, factors: 8 } }], grid: [0, 1] },
      onProgress: (e) => progress.push(e.status),
    });
    assert.equal(first.record.name, 'recommender');
    assert.equal(first.record.kind, 'recommender');
    assert.equal(first.record.version, 1);
    assert.ok(!path.isAbsolute(first.record.path));
    assert.ok(fs.existsSync(path.join(dataDir, first.record.path, 'meta.json')));
    assert.equal(first.record.meta.model, 'hybrid');
    assert.equal(first.record.meta.users, 48);
    assert.equal(first.record.meta.items, 60);
    assert.ok(progress.includes('step') && progress.includes('start') && progress.includes('done'));

    const { model } = await loadRecommender(ctx);
    assert.equal(model.modelName, 'hybrid');
    for (const u of [0, 5, 31]) assert.deepEqual(model.score(u), first.model.score(u));
    assert.equal((await loadRecommender(ctx)).model, model, 'the loaded model is cached');

    const second = await trainRecommender(ctx, { model: 'popularity' });
    assert.equal(second.record.version, 2);
    assert.equal((await store.getModel('recommender'))?.version, 2);
    const now = await loadRecommender(ctx);
    assert.equal(now.model.modelName, 'popularity', 'the newest version answers');
    assert.ok((await Recommender.load(path.join(dataDir, first.record.path))).isFitted);
  } finally {
    await cleanup();
  }
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-rec-empty-'));
  const s = await openStore({ dataDir: empty });
  try {
    const ctx: LookbookContext = { config: ConfigSchema.parse({ dataDir: empty }), store: s, logger: silentLogger, backboneName: 'none', embedder: () => Promise.reject(new Error('unused')) };
    await assert.rejects(trainRecommender(ctx), (e) => isLookbookError(e) && e.code === 'LB_ERR_CONFLICT' && /events import/.test(e.message));
    await assert.rejects(trainRecommender(ctx, { model: 'nope' }), (e) => isLookbookError(e) && e.code === 'LB_ERR_INVALID_ARGUMENT');
  } finally {
    await s.close();
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('recommendations: seen items left out (or kept), filters honoured, reasons, liked items, unknown users', async () => {
  const { ctx, store, events, cleanup } = await fixture();
  try {
    await trainRecommender(ctx, { model: 'item-knn' });
    const seen = new Set(events.filter((e) => e.userId === 'u0').map((e) => e.itemId));

    const a = await recommend(ctx, { userId: 'u0' }, { k: 8 });
    assert.equal(a.query.servedAs, 'known-user');
    assert.equal(a.results.length, 8);
    for (const r of a.results) {
      assert.ok(!seen.has(r.itemId), `${r.itemId} was already seen`);
      assert.ok(inGroup(r.itemId, 0), `${r.itemId} should come from u0's taste group`);
      assert.ok(r.reasons.length > 0 && r.reasons.every((x) => x.length > 0));
      assert.equal(r.item?.id, r.itemId);
      assert.ok(r.item?.title && r.item.category);
    }
    assert.ok(a.results.some((r) => /also (viewed|bought) this/.test(r.reasons[0]!)), JSON.stringify(a.results.map((r) => r.reasons)));

    const kept = await recommend(ctx, { userId: 'u0' }, { k: 10, removeSeen: false });
    assert.ok(kept.results.some((r) => seen.has(r.itemId)), 'with removeSeen false the user\'s own items can come back');

    const tops = await recommend(ctx, { userId: 'u0' }, { k: 5, filter: { category: 'top', price: { max: 15 } } });
    assert.ok(tops.results.length > 0);
    for (const r of tops.results) {
      assert.equal(r.item?.category, 'top');
      assert.ok(r.item!.price! <= 15);
    }
    const excluded = (await recommend(ctx, { userId: 'u0' }, { k: 3 })).results.map((r) => r.itemId);
    const without = await recommend(ctx, { userId: 'u0' }, { k: 3, filter: { excludeIds: excluded } });
    assert.ok(without.results.every((r) => !excluded.includes(r.itemId)));

    // a new user who likes d0 gets d0's co-occurrence neighbours, best first
    const { model } = await loadRecommender(ctx);
    const knn = model as ItemKnnRecommender;
    const d0 = model.data.itemIndex.get('d0')!;
    const nbrs = knn.neighboursOf(d0);
    const liked = await recommend(ctx, { likedItemIds: ['d0'] }, { k: 5 });
    assert.equal(liked.query.servedAs, 'liked-items');
    // same similarities as d0's top neighbours (ties may be ordered differently), all of them neighbours
    assert.deepEqual(liked.results.map((r) => r.score), nbrs.slice(0, 5).map((n) => n.sim));
    const nbrIds = new Set(nbrs.map((n) => model.data.itemIds[n.idx]));
    assert.ok(liked.results.every((r) => nbrIds.has(r.itemId) && inGroup(r.itemId, 0)));
    assert.match(liked.results[0]!.reasons[0]!, /"dress 0"/);

    // unknown users: an error, unless liked items are given or events were recorded after training
    await assert.rejects(recommend(ctx, { userId: 'stranger' }), (e) => isLookbookError(e) && e.code === 'LB_ERR_NOT_FOUND' && /stranger/.test(e.message));
    await assert.rejects(recommendForUser({ store, model }, 'stranger'), (e) => isLookbookError(e) && e.code === 'LB_ERR_NOT_FOUND');
    const withLikes = await recommend(ctx, { userId: 'stranger', likedItemIds: ['t12'] }, { k: 4 });
    assert.equal(withLikes.query.servedAs, 'liked-items');
    assert.ok(withLikes.results.every((r) => inGroup(r.itemId, 10) && r.itemId !== 't12'));
    await recordEvent(store, { userId: 'newcomer', itemId: 'd13', kind: 'like' });
    await recordEvent(store, { userId: 'newcomer', itemId: 't15', kind: 'purchase' });
    const fresh = await recommend(ctx, { userId: 'newcomer' }, { k: 4 });
    assert.equal(fresh.query.servedAs, 'recorded-events');
    assert.ok(fresh.results.every((r) => inGroup(r.itemId, 10) && r.itemId !== 'd13' && r.itemId !== 't15'));
    await assert.rejects(recommend(ctx, { likedItemIds: ['no-such-item'] }), (e) => isLookbookError(e) && e.code === 'LB_ERR_NOT_FOUND');
  } finally {
    await cleanup();
  }
});

test('allowed ids per filter are cached and refreshed when the catalogue changes', async () => {
  const { store, cleanup } = await fixture();
  try {
    assert.equal((await allowedItemIds(store, { category: 'top' })).length, 30);
    assert.equal((await allowedItemIds(store, { category: 'top', price: { min: 30 } })).length, 10);
    await store.upsertItems([{ id: 't30', imagePath: null, contentHash: null, title: 'top 30', category: 'top', colour: null, gender: null, price: 50, meta: {} }]);
    const ids = await allowedItemIds(store, { price: { min: 30 }, category: 'top' });
    assert.equal(ids.length, 11);
    assert.ok(ids.includes('t30'));
  } finally {
    await cleanup();
  }
});
