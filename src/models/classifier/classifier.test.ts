import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { extractAttributes, HISTOGRAM_LENGTH } from '../../attributes/index.ts';
import { isLookbookError } from '../../errors.ts';
import { requireDataset } from '../../testing/datasets.ts';
import type { Item } from '../../types.ts';
import { expectedCalibrationError } from './calibration.ts';
import { CategoricalHead, type FeatureSpec } from './classifier.ts';
import { buildInputs } from './features.ts';
import { assertColumn, defaultMinCount, planLabels } from './labels.ts';
import { makeRng, stratifiedSplit, gatherRows } from './random.ts';

/** Gaussian-ish clusters in d dims with a skewed class distribution. */
function clusters(n: number, d: number, c: number, seed: number) {
  const rng = makeRng(seed);
  const centres = Array.from({ length: c }, () => Float32Array.from({ length: d }, () => rng() * 2 - 1));
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng() < 0.6 ? 0 : 1 + Math.floor(rng() * (c - 1));
    y[i] = k;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[k]![j]! * 0.4 + (rng() * 2 - 1);
  }
  return { x, y };
}

test('head trained on synthetic clusters beats the majority class; save/load gives identical probabilities', async () => {
  const d = 64;
  const c = 4;
  const { x, y } = clusters(1200, d, c, 7);
  const spec: FeatureSpec = { backbone: 'synthetic', embeddingDim: d, histogramDim: 0, useEmbedding: true };
  const { train, test: held } = stratifiedSplit(y, 0.25, 1);
  const events: string[] = [];
  const head = await CategoricalHead.fit(
    { x: gatherRows(x, d, train), y: Int32Array.from(train, (i) => y[i]!), classes: ['a', 'b', 'c', 'd'], column: 'syn', spec },
    { hidden: 32, maxEpochs: 15, seed: 3, onProgress: (e) => events.push(e.status) },
  );
  assert.equal(events[0], 'start');
  assert.equal(events.at(-1), 'done');
  assert.ok(events.includes('progress'));
  const xt = gatherRows(x, d, held);
  const yt = Int32Array.from(held, (i) => y[i]!);
  const probs = await head.predict(xt);
  for (let i = 0; i < held.length; i++) {
    const s = probs.subarray(i * c, i * c + c).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s - 1) < 1e-4, `row ${i} sums to ${s}`);
  }
  const pred = head.classify(probs);
  const acc = pred.reduce((s, p, i) => s + (p === yt[i] ? 1 : 0), 0) / yt.length;
  const majority = yt.reduce((s, v) => s + (v === 0 ? 1 : 0), 0) / yt.length;
  assert.ok(acc > majority + 0.2, `accuracy ${acc} vs majority ${majority}`);
  assert.ok(Number.isFinite(head.meta.temperature) && head.meta.temperature > 0);
  assert.ok(expectedCalibrationError(probs, c, yt) < 0.2);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-head-'));
  try {
    head.save(dir);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    assert.equal(meta.className, 'CategoricalHead');
    assert.deepEqual(meta.classes, ['a', 'b', 'c', 'd']);
    const again = CategoricalHead.load(dir);
    assert.deepEqual(await again.predict(xt), probs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('softmax regression (hidden 0) also trains and round-trips', async () => {
  const d = 16;
  const { x, y } = clusters(400, d, 3, 11);
  const spec: FeatureSpec = { backbone: 'synthetic', embeddingDim: d, histogramDim: 0, useEmbedding: true };
  const head = await CategoricalHead.fit({ x, y, classes: ['a', 'b', 'c'], column: 'syn', spec }, { hidden: 0, maxEpochs: 10 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-head0-'));
  try {
    head.save(dir);
    assert.deepEqual(await CategoricalHead.load(dir).predict(x.subarray(0, d * 20)), await head.predict(x.subarray(0, d * 20)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an auxiliary label (multi-task) changes training, is recorded, and the head still predicts only its own classes', async () => {
  const d = 16;
  const { x, y: fine } = clusters(600, d, 4, 5);
  // Main label: two coarse classes made of two fine clusters each; the fine cluster is the auxiliary label.
  const y = Int32Array.from(fine, (k) => (k < 2 ? 0 : 1));
  const spec: FeatureSpec = { backbone: 'synthetic', embeddingDim: d, histogramDim: 0, useEmbedding: true };
  const opts = { hidden: 8, maxEpochs: 6, seed: 3 };
  const plain = await CategoricalHead.fit({ x, y, classes: ['ab', 'cd'], column: 'coarse', spec }, opts);
  const multi = await CategoricalHead.fit({ x, y, classes: ['ab', 'cd'], column: 'coarse', spec, aux: { column: 'fine', y: fine, classes: 4 } }, opts);
  assert.equal(multi.meta.options.auxColumn, 'fine');
  assert.equal(plain.meta.options.auxColumn, undefined);
  const pm = await multi.predict(x.subarray(0, d * 10));
  assert.equal(pm.length, 10 * 2);
  assert.notDeepEqual(pm, await plain.predict(x.subarray(0, d * 10)));
});

test('loading a folder that is not a head fails with LB_ERR_MODEL_FORMAT', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-head-bad-'));
  try {
    assert.throws(() => CategoricalHead.load(dir), (e) => isLookbookError(e) && e.code === 'LB_ERR_MODEL_FORMAT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rare classes are grouped into Other or excluded; a bad column names the available ones', () => {
  const item = (id: string, meta: Record<string, string>): Item => ({
    id, imagePath: null, contentHash: null, title: null, category: 'Tops', colour: null, gender: null, price: null, meta,
  });
  const items = [item('1', { usage: 'Casual' }), item('2', { usage: 'Party' }), item('3', { season: 'Summer' })];
  assert.throws(
    () => assertColumn(items, 'style'),
    (e) => isLookbookError(e) && e.code === 'LB_ERR_LABEL_COLUMN' && /style/.test(e.message) && /usage/.test(e.message) && /category/.test(e.message),
  );
  assertColumn(items, 'usage');
  const values = [...Array(60).fill('Casual'), ...Array(55).fill('Sports'), 'Party', 'Party', undefined];
  const grouped = planLabels('usage', values, ['usage'], { minCount: 50 });
  assert.deepEqual(grouped.classes, ['Casual', 'Sports', 'Other']);
  assert.deepEqual(grouped.rare, [{ value: 'Party', count: 2 }]);
  assert.equal(grouped.missing, 1);
  assert.equal(grouped.classOf('Party'), 2);
  assert.equal(grouped.classOf('Travel'), 2);
  assert.equal(grouped.classOf(undefined), -1);
  const excluded = planLabels('usage', values, ['usage'], { minCount: 50, rare: 'exclude' });
  assert.deepEqual(excluded.classes, ['Casual', 'Sports']);
  assert.equal(excluded.classOf('Party'), -1);
  assert.throws(
    () => planLabels('usage', ['a', 'b'], ['usage'], { minCount: 50, rare: 'exclude' }),
    (e) => isLookbookError(e) && e.code === 'LB_ERR_LABEL_COLUMN',
  );
  // Without minCount the threshold scales with the catalogue: 117 labelled values → 5, so Party (2) is still rare
  // but a 30-example class is kept, which the fixed 50 would have grouped.
  assert.deepEqual([defaultMinCount(100), defaultMinCount(1000), defaultMinCount(35_000)], [5, 20, 50]);
  const small = planLabels('usage', [...values, ...Array(30).fill('Formal')], ['usage']);
  assert.deepEqual(small.classes, ['Casual', 'Sports', 'Formal', 'Other']);
});

test('on a small real sample (thumbnail pixels + colour histogram) the head converges and beats the majority class', async (t) => {
  const root = requireDataset(t, 'fashion-small');
  if (!root) return;
  const rows = parse(fs.readFileSync(path.join(root, 'styles.csv')), { columns: true, relax_column_count: true }) as Record<string, string>[];
  const wanted = ['Apparel', 'Accessories', 'Footwear'];
  const rng = makeRng(5);
  const picked = rows.filter((r) => wanted.includes(r.masterCategory!) && fs.existsSync(path.join(root, 'images', `${r.id}.jpg`)));
  const sample: Record<string, string>[] = [];
  for (const r of picked) if (rng() < 300 / picked.length) sample.push(r);
  const tw = 12;
  const th = 16;
  const e = tw * th * 3;
  const vecs = new Float32Array(sample.length * e);
  const hists: number[][] = [];
  for (let i = 0; i < sample.length; i++) {
    const file = path.join(root, 'images', `${sample[i]!.id}.jpg`);
    const small = await sharp(file).removeAlpha().toColourspace('srgb').resize(tw, th, { fit: 'fill' }).raw().toBuffer();
    let norm = 0;
    for (let k = 0; k < e; k++) norm += (small[k]! / 255) ** 2;
    for (let k = 0; k < e; k++) vecs[i * e + k] = small[k]! / 255 / Math.sqrt(norm || 1);
    const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    hists.push(extractAttributes({ data: new Uint8Array(data), width: info.width, height: info.height }, { pattern: false }).histogram);
  }
  const plan = planLabels('masterCategory', sample.map((r) => r.masterCategory), ['masterCategory'], { minCount: 20 });
  const y = Int32Array.from(sample, (r) => plan.classOf(r.masterCategory));
  const spec: FeatureSpec = { backbone: 'thumbnail-12x16', embeddingDim: e, histogramDim: HISTOGRAM_LENGTH, useEmbedding: true };
  const { x } = buildInputs(spec, sample.length, vecs, hists);
  const { train, test: held } = stratifiedSplit(y, 0.3, 2);
  const d = e + HISTOGRAM_LENGTH;
  const losses: number[] = [];
  const head = await CategoricalHead.fit(
    { x: gatherRows(x, d, train), y: Int32Array.from(train, (i) => y[i]!), classes: plan.classes, column: 'masterCategory', spec },
    { hidden: 64, maxEpochs: 25, patience: 25, batchSize: 32, onProgress: (ev) => ev.status === 'progress' && losses.push(Number(/loss ([\d.]+)/.exec(ev.message ?? '')![1])) },
  );
  assert.ok(losses.at(-1)! < losses[0]! * 0.7, `training loss ${losses[0]} → ${losses.at(-1)}`);
  const yt = Int32Array.from(held, (i) => y[i]!);
  const pred = head.classify(await head.predict(gatherRows(x, d, held)));
  const acc = pred.reduce((s, p, i) => s + (p === yt[i] ? 1 : 0), 0) / yt.length;
  const counts = plan.classes.map((_, j) => yt.reduce((s, v) => s + (v === j ? 1 : 0), 0));
  const majority = Math.max(...counts) / yt.length;
  console.log(`# real sample: accuracy ${acc.toFixed(3)}, majority ${majority.toFixed(3)}, n_test ${yt.length}, loss ${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(3)}`);
  assert.ok(acc > majority + 0.15, `accuracy ${acc.toFixed(3)} vs majority ${majority.toFixed(3)} on ${yt.length} held-out items`);
});
