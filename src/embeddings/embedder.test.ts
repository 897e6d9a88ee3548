import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { requireDataset } from '../testing/datasets.ts';
import { backboneCachePath, customBackbone, prepareBackbone, resolveBackbone } from './backbones.ts';
import { Embedder, embedMany, type EmbedResult } from './embedder.ts';

let dataDir: string;
let embedder: Embedder;
before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookbook-embed-'));
  embedder = await Embedder.create({ dataDir, batchSize: 8 });
});
after(async () => {
  await embedder?.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** First n ids (by id) of each article type that have an image. */
function pick(root: string, types: string[], n: number): { id: string; type: string; file: string }[] {
  const rows = parse(fs.readFileSync(path.join(root, 'styles.csv')), { columns: true, relax_column_count: true, skip_empty_lines: true }) as Record<string, string>[];
  const out: { id: string; type: string; file: string }[] = [];
  for (const type of types) {
    const ids = rows.filter((r) => r.articleType === type).map((r) => r.id).sort((a, b) => Number(a) - Number(b));
    let k = 0;
    for (const id of ids) {
      const file = path.join(root, 'images', `${id}.jpg`);
      if (k < n && fs.existsSync(file)) {
        out.push({ id, type, file });
        k++;
      }
    }
  }
  return out;
}

test('the default backbone is converted once and cached under the data dir', async () => {
  assert.deepEqual(embedder.info, { name: 'mobilenet_v2_140', dim: 1792, inputSize: 224, version: '1' });
  const cached = backboneCachePath(resolveBackbone('mobilenet_v2_140'), dataDir);
  assert.ok(fs.statSync(cached).size > 1e6);
  const again = await prepareBackbone('mobilenet_v2_140', dataDir);
  assert.equal(again.converted, false);
  assert.equal(again.modelPath, cached);
  assert.ok(!fs.readdirSync(path.dirname(cached)).some((f) => f.endsWith('.tmp')));
  assert.throws(() => resolveBackbone('nope'), { code: 'LB_ERR_INVALID_ARGUMENT' });
});

test('real catalogue images: unit vectors, deterministic, same article type closer than different', async (t) => {
  const root = requireDataset(t, 'fashion-small');
  if (!root) return;
  const items = pick(root, ['Casual Shoes', 'Shirts'], 25);
  assert.equal(items.length, 50);
  const got = new Map<string, Float32Array>();
  for await (const r of embedMany(embedder, items.map((it) => ({ key: it.id, source: it.file })))) {
    assert.ok(!('error' in r), 'error' in r ? r.error.message : '');
    if (!('error' in r)) got.set(r.key, r.vector!);
  }
  assert.equal(got.size, 50);
  for (const v of got.values()) {
    assert.equal(v.length, 1792);
    assert.ok(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-5);
  }
  let same = 0, nSame = 0, diff = 0, nDiff = 0;
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const c = dot(got.get(items[i].id)!, got.get(items[j].id)!);
      if (items[i].type === items[j].type) (same += c), nSame++;
      else (diff += c), nDiff++;
    }
  console.log(`# mean cosine: same type ${(same / nSame).toFixed(3)}, different type ${(diff / nDiff).toFixed(3)}`);
  assert.ok(same / nSame > diff / nDiff + 0.05);
  // The same image twice (file and buffer, alone and in a batch) gives identical vectors.
  const a = await embedder.embedImage(items[0].file);
  const b = await embedder.embedImage(fs.readFileSync(items[0].file));
  assert.deepEqual(a.vector, b.vector);
  assert.deepEqual(a.vector, got.get(items[0].id));
  assert.equal(a.prepared.contentHash, b.prepared.contentHash);
});

test('embedMany: a corrupt image yields an error for its key and vectors for the rest; skip avoids the CNN', async (t) => {
  const root = requireDataset(t, 'fashion-small');
  if (!root) return;
  const items = pick(root, ['Tshirts'], 12);
  const bad = path.join(dataDir, 'bad.jpg');
  fs.writeFileSync(bad, fs.readFileSync(items[0].file).subarray(0, 300));
  const jobs = [...items.map((it) => ({ key: it.id, source: it.file as string | Buffer })), { key: 'bad', source: bad }, { key: 'empty', source: Buffer.alloc(0) }];
  const skipHash = (await embedder.embedImage(items[1].file)).prepared.contentHash;
  async function* gen() {
    for (const j of jobs) yield j;
  }
  const results: EmbedResult<string>[] = [];
  let last = { done: 0, failed: 0 };
  for await (const r of embedMany(embedder, gen(), { decodeConcurrency: 3, skip: (p) => p.contentHash === skipHash, onProgress: (e) => (last = e) })) results.push(r);
  assert.equal(results.length, jobs.length);
  assert.deepEqual(new Set(results.map((r) => r.key)), new Set(jobs.map((j) => j.key)));
  const byKey = new Map(results.map((r) => [r.key, r]));
  const badR = byKey.get('bad')!;
  assert.ok('error' in badR && badR.error.code === 'LB_ERR_IMAGE_DECODE' && badR.error.subject === bad);
  const emptyR = byKey.get('empty')!;
  assert.ok('error' in emptyR && emptyR.error.code === 'LB_ERR_IMAGE_EMPTY');
  const skipped = byKey.get(items[1].id)!;
  assert.ok(!('error' in skipped) && skipped.vector === null);
  for (const it of items.filter((_, i) => i !== 1)) {
    const r = byKey.get(it.id)!;
    assert.ok(!('error' in r) && r.vector && r.vector.length === 1792, it.id);
  }
  assert.deepEqual(last, { done: 12, failed: 2 });
});

test('embedMany stops when its signal is aborted', async (t) => {
  const root = requireDataset(t, 'fashion-small');
  if (!root) return;
  const items = pick(root, ['Tshirts'], 20);
  const ac = new AbortController();
  let n = 0;
  await assert.rejects(async () => {
    for await (const _ of embedMany(embedder, items.map((it) => ({ key: it.id, source: it.file })), { signal: ac.signal })) {
      if (++n === 3) ac.abort(new Error('stop'));
    }
  }, /stop/);
  assert.equal(n, 3);
});

test('a custom ONNX backbone (the converted MobileNetV2 1.0 file, NHWC, identity normalisation) reads its dimension from the model', async () => {
  const builtin = await prepareBackbone('mobilenet_v2_100', dataDir);
  const spec = customBackbone({ name: 'my-model', path: builtin.modelPath, inputSize: 224, layout: 'NHWC' });
  const custom = await Embedder.create({ backbone: spec, dataDir, threads: 1 });
  const reference = await Embedder.create({ backbone: 'mobilenet_v2_100', dataDir, threads: 1 });
  try {
    assert.equal(custom.info.dim, 1280);
    assert.equal(custom.info.name, 'my-model');
    const img = new Uint8Array(224 * 224 * 3).map((_, i) => (i * 7) % 256);
    const [a] = await custom.embed([img]);
    const [b] = await reference.embed([img]);
    assert.deepEqual(a, b);
    await assert.rejects(custom.embed([new Uint8Array(10)]), { code: 'LB_ERR_INVALID_ARGUMENT' });
  } finally {
    await custom.dispose();
    await reference.dispose();
  }
  await assert.rejects(Embedder.create({ backbone: customBackbone({ path: '/nonexistent.onnx', inputSize: 224 }), dataDir }), { code: 'LB_ERR_BACKBONE' });
});
