/**
 * Backbone throughput on real catalogue images (fashion-product-images-small).
 *   node --import tsx benchmarks/backbone.ts [--n 1000] [--backbone mobilenet_v2_140] [--threads 2] [--batch 32]
 * Prints: decode-only img/s, backbone-only img/s (prepared inputs, batched), end-to-end embedMany img/s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { datasetPath, evalCacheDir } from '../src/testing/datasets.ts';
import { prepareImage } from '../src/processors/image.ts';
import { Embedder, embedMany } from '../src/embeddings/embedder.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    backbone: { type: 'string', default: 'mobilenet_v2_140' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
    concurrency: { type: 'string', default: '4' },
  },
});
const n = Number(values.n);
const root = datasetPath('fashion-small');
if (!root) throw new Error('fashion-product-images-small not found (set LOOKBOOK_SHARED_DATA)');
const dir = path.join(root, 'images');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => path.join(dir, f));

const embedder = await Embedder.create({
  backbone: values.backbone,
  dataDir: evalCacheDir('bench-backbone'),
  threads: Number(values.threads),
  batchSize: Number(values.batch),
});
const rate = (count: number, ms: number) => `${((count * 1000) / ms).toFixed(1)} img/s (${(ms / 1000).toFixed(2)} s)`;
console.log(`backbone ${embedder.info.name} dim ${embedder.info.dim}, ${files.length} images, batch ${embedder.batchSize}, threads ${values.threads}`);

// 1. decode only (sequential awaits but sharp works on libuv threads: measured with 4 in flight)
let t = performance.now();
const inputs: Uint8Array[] = new Array(files.length);
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < files.length) {
      const i = next++;
      inputs[i] = (await prepareImage(files[i], { inputSize: embedder.info.inputSize })).input.data;
    }
  }),
);
console.log(`decode+prepare only (4 in flight): ${rate(files.length, performance.now() - t)}`);

// 2. backbone only
await embedder.embed(inputs.slice(0, embedder.batchSize)); // warm-up
t = performance.now();
await embedder.embed(inputs);
console.log(`backbone only: ${rate(files.length, performance.now() - t)}`);

// 3. end to end
t = performance.now();
let ok = 0;
let failed = 0;
for await (const r of embedMany(embedder, files.map((f, i) => ({ key: i, source: f })), { decodeConcurrency: Number(values.concurrency) })) {
  if ('error' in r) failed++;
  else ok++;
}
console.log(`end-to-end embedMany (decode concurrency ${values.concurrency}): ${rate(files.length, performance.now() - t)}; ok ${ok}, failed ${failed}`);
const mem = process.memoryUsage();
console.log(`rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`);
await embedder.dispose();
