import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigSchema } from '../config/index.ts';
import type { LookbookContext } from '../context.ts';
import { isLookbookError, LookbookError } from '../errors.ts';
import { silentLogger } from '../logging/index.ts';
import { makeRng } from '../models/classifier/random.ts';
import { resolveLearnedSpace, trainSimilaritySpace } from '../models/metric-space/from-store.ts';
import { openStore } from '../store/index.ts';
import type { FeatureRecord, Item } from '../types.ts';
import { predictAll, predictStyle, storedPredictions, trainClassifier } from './style.ts';
import { buildStyleProfile } from './style-profile.ts';

const STYLES = ['Casual', 'Sports', 'Ethnic'];
const TYPES = ['Tshirts', 'Shoes', 'Kurtas', 'Watches'];

/** A real SQLite store holding 240 synthetic items whose 32-d features cluster by style and type. */
async function fixture() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-style-'));
  const store = await openStore({ dataDir });
  const rng = makeRng(4);
  const d = 32;
  const styleDir = STYLES.map(() => Float32Array.from({ length: d }, () => rng() * 2 - 1));
  const typeDir = TYPES.map(() => Float32Array.from({ length: d }, () => rng() * 2 - 1));
  const items: Item[] = [];
  const feats: FeatureRecord[] = [];
  for (let i = 0; i < 240; i++) {
    const s = i % 3 === 0 || i % 3 === 1 ? (i % 2) : 2;
    const t = i % 4;
    const v = Float32Array.from({ length: d }, (_, j) => styleDir[s]![j]! + typeDir[t]![j]! + (rng() * 2 - 1) * 0.8);
    const n = Math.hypot(...v);
    for (let j = 0; j < d; j++) v[j]! /= n;
    const hist = Array.from({ length: 28 }, (_, j) => (j === s * 3 ? 0.7 : 0.3 / 27));
    const hash = `h${i}`;
    items.push({ id: `i${i}`, imagePath: null, contentHash: hash, title: null, category: TYPES[t]!, colour: 'Blue', gender: null, price: null, meta: { usage: STYLES[s]!, articleType: TYPES[t]! } });
    feats.push({ contentHash: hash, backbone: 'synthetic', vector: v, attributes: { colours: [{ name: ['navy', 'red', 'green'][s]!, hex: '#000000', lab: [0, 0, 0], share: 0.8 }], histogram: hist, foreground: 0.5 } });
  }
  await store.upsertItems(items);
  await store.putFeatures(feats);
  const ctx: LookbookContext = {
    config: ConfigSchema.parse({ dataDir }),
    store,
    logger: silentLogger,
    backboneName: 'synthetic',
    embedder: () => Promise.reject(new LookbookError('LB_ERR_BACKBONE', 'no backbone in this test')),
  };
  return { ctx, dataDir, items };
}

test('style pipeline: train, register, predict one and all, profile; bad column; learned space', async () => {
  const { ctx, dataDir, items } = await fixture();
  try {
    await assert.rejects(
      trainClassifier(ctx, { column: 'style' }),
      (e) => isLookbookError(e) && e.code === 'LB_ERR_LABEL_COLUMN' && /"style"/.test(e.message) && /usage/.test(e.message) && Array.isArray(e.details?.available),
    );
    await assert.rejects(
      trainClassifier(ctx, { column: 'usage', auxColumn: 'no_such_column', hidden: 8, maxEpochs: 1, minCount: 10, register: false }),
      (e) => isLookbookError(e) && e.code === 'LB_ERR_LABEL_COLUMN' && /no_such_column/.test(e.message),
    );
    const opts = { hidden: 16, maxEpochs: 20, minCount: 10 };
    const first = await trainClassifier(ctx, { column: 'usage', ...opts });
    assert.equal(first.record?.name, 'style:usage');
    assert.equal(first.record?.version, 1);
    assert.ok(fs.existsSync(path.join(dataDir, first.record!.path, 'meta.json')));
    assert.deepEqual([...first.classes].sort(), [...STYLES].sort());
    const second = await trainClassifier(ctx, { column: 'usage', ...opts });
    assert.equal(second.record?.version, 2);
    await trainClassifier(ctx, { column: 'articleType', ...opts });

    const p = await predictStyle(ctx, { itemId: 'i0' }, { column: 'usage', top: 3 });
    assert.equal(p.model.version, 2);
    assert.equal(p.top.length, 3);
    assert.ok(p.top[0]!.probability >= p.top[1]!.probability);
    assert.ok(Math.abs(p.top.reduce((s, t) => s + t.probability, 0) - 1) < 1e-4);
    assert.ok(p.attributes.heads.articleType, 'other heads are reported');
    assert.equal(p.attributes.colours[0]?.name, 'navy');
    await assert.rejects(predictStyle(ctx, { itemId: 'nope' }), (e) => isLookbookError(e) && e.code === 'LB_ERR_NOT_FOUND');
    await assert.rejects(predictStyle(ctx, { itemId: 'i0' }, { column: 'season' }), (e) => isLookbookError(e) && e.code === 'LB_ERR_MODEL_MISSING');

    const all = await predictAll(ctx, 'usage');
    assert.equal(all.count, 240);
    const stored = await storedPredictions(ctx, 'usage', items.map((it) => it.id));
    assert.equal(stored?.probs.size, 240);
    const hits = items.filter((it) => {
      const probs = stored!.probs.get(it.id)!;
      return stored!.classes[probs.indexOf(Math.max(...probs))] === it.meta.usage;
    }).length;
    assert.ok(hits / 240 > 0.6, `stored predictions agree with labels for ${hits}/240 items`);

    const liked = items.filter((it) => it.meta.usage === 'Ethnic').slice(0, 12).map((it) => it.id);
    const profile = await buildStyleProfile(ctx, [...liked, 'unknown'], { column: 'usage' });
    assert.deepEqual(profile.missing, ['unknown']);
    assert.equal(profile.used.length, 12);
    assert.equal(profile.styles[0]!.name, 'Ethnic');
    assert.equal(profile.colours[0]!.name, 'green');
    assert.equal(profile.meanVector?.length, 32);
    assert.ok(Math.abs(Math.hypot(...profile.meanVector!) - 1) < 1e-4);

    const space = await trainSimilaritySpace(ctx, { column: 'articleType', dim: 8, maxEpochs: 5, batchSize: 64 });
    assert.equal(space.projected, 240);
    assert.equal(space.record?.kind, 'metric-space');
    const vs = await ctx.store.getItemVectors('learned:default', ['i0']);
    assert.equal(vs.get('i0')?.length, 8);
    const resolved = await resolveLearnedSpace(ctx, 'auto');
    assert.equal(resolved?.name, 'learned:default');
    const q = resolved!.project!((await ctx.store.itemFeatures(['i0'], 'synthetic')).get('i0')!.vector);
    for (let j = 0; j < 8; j++) assert.ok(Math.abs(q[j]! - vs.get('i0')![j]!) < 1e-4);
    const profile2 = await buildStyleProfile(ctx, liked, { space: 'learned:default' });
    assert.equal(profile2.spaceVector?.vector.length, 8);
  } finally {
    await ctx.store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
