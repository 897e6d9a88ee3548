import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDataset } from '../../testing/datasets.ts';
import { ItemTable, makeRng, shuffleInPlace, type CompatItems } from './data.ts';
import { mangoSample } from './mango-sample.ts';
import { CompatibilityModel } from './model.ts';
import { makeFitbQuestions, makeSwappedOutfits, plattFit, rocAuc } from './protocol.ts';
import { fitCompatibility, fitbAccuracy } from './train.ts';
import type { Outfit } from '../../types.ts';

test('rocAuc and plattFit on hand-computed cases', () => {
  assert.equal(rocAuc([3, 4], [1, 2]), 1);
  assert.equal(rocAuc([1, 2], [3, 4]), 0);
  assert.equal(rocAuc([1, 3], [2, 2]), 0.5);
  assert.equal(rocAuc([2], [2]), 0.5);
  const { a, b } = plattFit([2, 3, 1.5, 0], [-2, -1, 0.5, -3]);
  assert.ok(a > 0, 'higher raw scores map to higher probabilities');
  assert.ok(1 / (1 + Math.exp(-(a * 3 + b))) > 0.5 && 1 / (1 + Math.exp(-(a * -3 + b))) < 0.5);
});

let sample: { items: CompatItems; outfits: Outfit[] } | undefined;
async function getSample(t: { skip: (m?: string) => void }) {
  const root = requireDataset(t, 'mango');
  if (!root) return undefined;
  sample ??= await mangoSample(root, 400);
  return sample;
}

test('FITB questions: one answer, no duplicates, every candidate of the blank\'s category', async (t) => {
  const s = await getSample(t);
  if (!s) return;
  const table = new ItemTable(s.items);
  const outs = s.outfits.map((o) => ({ id: o.id, rows: table.rowsOf(o) }));
  const qs = makeFitbQuestions(table, outs, makeRng(3));
  assert.ok(qs.length > 100);
  for (const q of qs) {
    assert.equal(q.candidates.length, 4);
    assert.equal(new Set(q.candidates).size, 4, 'no candidate twice (so the answer appears once)');
    for (const c of q.candidates) assert.equal(table.category(c), q.category);
    const o = outs.find((x) => x.id === q.outfitId)!;
    assert.equal(q.candidates.filter((c) => o.rows.includes(c)).length, 1, 'exactly one candidate comes from the outfit');
    assert.ok(!q.context.includes(q.candidates[q.answerIndex]));
  }
  const negs = makeSwappedOutfits(table, outs, makeRng(4), 'one');
  negs.forEach((n, i) => {
    assert.equal(n.rows.length, outs[i].rows.length);
    n.rows.forEach((r, k) => assert.equal(table.category(r), table.category(outs[i].rows[k])));
  });
});

test('on real mango images the model beats random at FITB and AUC, and save/load round-trips', async (t) => {
  const s = await getSample(t);
  if (!s) return;
  const outfits = shuffleInPlace(s.outfits.slice(), makeRng(11));
  const nTest = Math.round(outfits.length * 0.2);
  const test = outfits.slice(0, nTest);
  const { model } = await fitCompatibility(s.items, outfits.slice(nTest), { dim: 32, maxSteps: 80, evalEvery: 20, seed: 5 });
  const table = new ItemTable(s.items);
  const outs = test.map((o) => ({ id: o.id, rows: table.rowsOf(o) }));
  const qs = makeFitbQuestions(table, outs, makeRng(12));
  const E = model.embed(s.items.vectors, s.items.categories);
  const acc = fitbAccuracy(model, E, qs);
  // random = 25%; require three standard errors above it
  const bar = 0.25 + 3 * Math.sqrt((0.25 * 0.75) / qs.length);
  assert.ok(acc > bar, `FITB ${acc.toFixed(3)} on ${qs.length} questions should beat random by 3σ (${bar.toFixed(3)})`);
  const negs = makeSwappedOutfits(table, outs, makeRng(13), 'all');
  const auc = rocAuc(outs.map((o) => model.rawOutfit(E, o.rows)), negs.map((o) => model.rawOutfit(E, o.rows)));
  t.diagnostic(`sample: ${s.items.ids.length} items, ${outfits.length} outfits; test FITB ${acc.toFixed(3)} (${qs.length} q), AUC ${auc.toFixed(3)}`);
  assert.ok(auc > 0.6, `AUC ${auc.toFixed(3)} should be well above 0.5`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-compat-'));
  try {
    model.save(dir);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    assert.equal(meta.class, 'TypeAwareCompatibility');
    assert.ok(meta.categories.length > 3 && meta.templates.length > 0);
    const back = CompatibilityModel.load(dir);
    const items = test[0].itemIds.map((id) => {
      const i = table.index.get(id)!;
      return { id, category: table.category(i), vector: table.row(i) };
    });
    const a = model.scoreOutfit(items), b = back.scoreOutfit(items);
    assert.deepEqual(b, a);
    assert.ok(a.score > 0 && a.score < 1);
    assert.ok(a.weakestPair && a.pairs.every((p) => p.score >= a.weakestPair!.score));
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(12));
    assert.throws(() => CompatibilityModel.load(dir), (e: unknown) => (e as { code?: string }).code === 'LB_ERR_MODEL_FORMAT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
