/**
 * EmbedPool: worker threads with their own ONNX sessions give the same vectors as the in-process
 * Embedder, report bad files per image, and feed runIngestWorker through embedBatch().
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Embedder } from '../embeddings/embedder.ts';
import { requireDataset } from '../testing/datasets.ts';
import { EmbedPool } from './embed-pool.ts';

let dataDir: string;
let reference: Embedder;
before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-pool-'));
  reference = await Embedder.create({ dataDir, threads: 1, batchSize: 8 }); // also prepares the backbone cache
});
after(async () => {
  await reference?.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('two worker threads embed like the in-process Embedder and report bad files', async (t) => {
  const root = requireDataset(t, 'fashion-small');
  if (!root) return;
  const files = fs.readdirSync(path.join(root, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, 12).map((f) => path.join(root, 'images', f));
  const bad = path.join(dataDir, 'broken.jpg');
  fs.writeFileSync(bad, 'not a jpeg at all');
  const pool = await EmbedPool.create({ workers: 2, threadsPerWorker: 1, dataDir, batchSize: 4, chunkSize: 4 });
  try {
    assert.equal(pool.workers, 2);
    assert.equal(pool.dim, reference.info.dim);
    const got = new Map<string, Float32Array | string>();
    for await (const rs of pool.embed([...files, bad].map((f) => ({ key: f, source: f })))) {
      for (const r of rs) got.set(r.key, 'error' in r ? r.error : r.vector);
    }
    assert.equal(got.size, 13);
    assert.match(String(got.get(bad)), /LB_ERR_IMAGE_DECODE/);
    for (const f of files.slice(0, 4)) {
      const v = got.get(f) as Float32Array;
      const { vector } = await reference.embedImage(f);
      const cos = v.reduce((s, x, i) => s + x * vector[i], 0);
      assert.ok(cos > 0.9999, `${path.basename(f)}: cosine ${cos}`);
    }
  } finally {
    await pool.close();
  }
});
