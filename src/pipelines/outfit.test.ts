import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { datasetPath } from '../testing/datasets.ts';
import { openStore, type Store } from '../store/index.ts';
import type { Item } from '../types.ts';
import { mangoSample } from '../models/compatibility/mango-sample.ts';
import { trainCompatibilityFromStore, loadCompatibility } from '../models/compatibility/registry.ts';
import { completeTheLook, fillInTheBlank, openOutfitContext, scoreOutfit, type OutfitContext } from './outfit.ts';

const COL = 'des_product_family';
const BACKBONE = 'test-image-features';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-outfit-pipe-'));
let store: Store | undefined;
let ctx: OutfitContext | undefined;
let firstOutfit: string[] = [];
const catOf = new Map<string, string>();
const priceOf = new Map<string, number>();

before(async () => {
  const root = datasetPath('mango');
  if (!root) {
    if (process.env.CI === 'true') throw new Error('mango-outfits-2023 data set missing: required in CI');
    return;
  }
  const s = await mangoSample(root, 300, COL);
  store = await openStore({ dataDir: dir });
  const items: Item[] = s.items.ids.map((id, i) => {
    catOf.set(id, s.items.categories[i]!);
    priceOf.set(id, (i * 37) % 100);
    return {
      id, imagePath: null, contentHash: crypto.createHash('sha256').update(id).digest('hex'), title: null, category: null,
      colour: null, gender: 'Female', price: priceOf.get(id)!, meta: { [COL]: s.items.categories[i]! },
    };
  });
  await store.upsertItems(items);
  await store.putFeatures(items.map((it, i) => ({
    contentHash: it.contentHash!, backbone: BACKBONE, vector: s.items.vectors.slice(i * s.items.dim, (i + 1) * s.items.dim),
    attributes: { colours: [], histogram: [], foreground: 1 },
  })));
  await store.putOutfits(s.outfits);
  firstOutfit = s.outfits[0].itemIds;
  await trainCompatibilityFromStore(store, { dataDir: dir, backbone: BACKBONE, categoryColumn: COL, dim: 32, maxSteps: 40, evalEvery: 20 });
  ctx = await openOutfitContext(store, dir);
});
after(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the trained model is registered with its files under models/compatibility/v1', async (t) => {
  if (!store) return t.skip('mango data set not found');
  const rec = await store.getModel('compatibility');
  assert.equal(rec?.kind, 'compatibility');
  assert.equal(rec?.path, path.join('models', 'compatibility', `v${rec?.version}`));
  assert.ok(fs.existsSync(path.join(dir, rec!.path, 'meta.json')) && fs.existsSync(path.join(dir, rec!.path, 'weights.bin')));
  const { model } = await loadCompatibility(store, dir);
  assert.equal(model.meta.categoryColumn, COL);
  assert.equal(model.meta.backbone, BACKBONE);
});

test('score: 0..1 with the weakest pair; unknown items are LB_ERR_NOT_FOUND', async (t) => {
  if (!ctx) return t.skip('mango data set not found');
  const r = await scoreOutfit(ctx, firstOutfit);
  assert.ok(r.score > 0 && r.score < 1);
  assert.ok(r.weakestPair && firstOutfit.includes(r.weakestPair.a) && firstOutfit.includes(r.weakestPair.b));
  assert.match(r.reasons[0], /weakest pair/);
  await assert.rejects(scoreOutfit(ctx, [firstOutfit[0], 'no-such-item']), (e: unknown) => (e as { code?: string }).code === 'LB_ERR_NOT_FOUND');
});

test('fill in the blank ranks given candidates, or retrieves them by category honouring the filter', async (t) => {
  if (!ctx) return t.skip('mango data set not found');
  const [blank, ...rest] = firstOutfit;
  const cat = catOf.get(blank)!;
  const others = [...catOf].filter(([id, c]) => c === cat && id !== blank).map(([id]) => id).slice(0, 3);
  const given = await fillInTheBlank(ctx, { itemIds: rest, candidates: [blank, ...others] });
  assert.deepEqual(new Set(given.ranked.map((r) => r.id)), new Set([blank, ...others]));
  for (let i = 1; i < given.ranked.length; i++) assert.ok(given.ranked[i - 1].score >= given.ranked[i].score);
  const got = await fillInTheBlank(ctx, { itemIds: rest, category: cat, k: 5, filter: { price: { max: 50 } } });
  assert.ok(got.ranked.length > 0 && got.ranked.length <= 5);
  for (const r of got.ranked) {
    assert.equal(catOf.get(r.id), cat);
    assert.ok(priceOf.get(r.id)! <= 50);
    assert.ok(!rest.includes(r.id));
  }
});

test('complete the look: N diverse outfits over learned categories, honouring the filter', async (t) => {
  if (!ctx) return t.skip('mango data set not found');
  const seed = firstOutfit[0];
  const r = await completeTheLook(ctx, { itemIds: [seed], n: 3, filter: { price: { min: 10 } } });
  assert.ok(r.outfits.length >= 2, `got ${r.outfits.length} outfits`);
  for (const o of r.outfits) {
    assert.equal(o.itemIds[0], seed);
    assert.ok(o.score > 0 && o.score < 1);
    assert.deepEqual(o.added.map((a) => catOf.get(a.id)), o.categories.slice(0, o.added.length));
    for (const a of o.added) assert.ok(priceOf.get(a.id)! >= 10 && a.id !== seed);
    assert.ok(!o.categories.includes(catOf.get(seed)!), 'adds categories the seed does not cover');
  }
  for (let i = 0; i < r.outfits.length; i++) for (let j = i + 1; j < r.outfits.length; j++) {
    const a = new Set(r.outfits[i].added.map((x) => x.id));
    assert.ok(r.outfits[j].added.filter((x) => a.has(x.id)).length <= 1, 'no two proposals share more than one added item');
  }
  const asked = await completeTheLook(ctx, { itemIds: [seed], n: 2, categories: ['Bags'] });
  for (const o of asked.outfits) assert.deepEqual(o.added.map((a) => catOf.get(a.id)), ['Bags']);
});
