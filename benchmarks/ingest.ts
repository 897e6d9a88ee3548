/**
 * Ingest throughput: backbone-only (pre-decoded inputs → ORT) beside end-to-end ingest (read, hash,
 * decode, colours, CNN, store writes) on the same real images; then a re-ingest of the unchanged
 * catalogue (must do no CNN work); memory and disk per item.
 *   node --import tsx benchmarks/ingest.ts [--n 1000] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Lookbook } from '../src/lookbook.ts';
import { prepareImage } from '../src/processors/image.ts';
import { datasetPath } from '../src/testing/datasets.ts';
import { table } from '../src/cli/common.ts';
import { dirBytes } from './util.ts';


export async function benchIngest(n: number): Promise<Record<string, number | string>> {
  const root = datasetPath('fashion-small');
  if (!root) throw new Error('fashion-product-images-small not found under ../shared/data');
  const rows = (parse(fs.readFileSync(path.join(root, 'styles.csv'), 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Record<string, string>[])
    .filter((r) => fs.existsSync(path.join(root, 'images', `${r.id}.jpg`)))
    .slice(0, n);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-bench-ingest-'));
  const csv = path.join(work, 'styles.csv');
  fs.writeFileSync(csv, `id,articleType\n${rows.map((r) => `${r.id},${r.articleType}`).join('\n')}\n`);
  const lb = await Lookbook.open({ dataDir: path.join(work, 'data'), ignoreEnv: true, logLevel: 'error' });
  try {
    const embedder = await lb.ctx.embedder(); // prepares/loads the backbone (not timed)
    const size = embedder.info.inputSize;
    const inputs = await Promise.all(rows.map(async (r) => (await prepareImage(path.join(root, 'images', `${r.id}.jpg`), { inputSize: size })).input.data));
    await embedder.embed(inputs.slice(0, embedder.batchSize)); // warm-up
    let t = performance.now();
    for (let i = 0; i < inputs.length; i += embedder.batchSize) await embedder.embed(inputs.slice(i, i + embedder.batchSize));
    const backboneSecs = (performance.now() - t) / 1000;

    t = performance.now();
    const first = await lb.ingest({ metadata: csv, imagesDir: path.join(root, 'images'), writeReport: false });
    const e2eSecs = (performance.now() - t) / 1000;
    t = performance.now();
    const again = await lb.ingest({ metadata: csv, imagesDir: path.join(root, 'images'), writeReport: false });
    const reSecs = (performance.now() - t) / 1000;
    // Build the ANN index once so its file counts toward disk per item.
    const q = await lb.store.allItemVectors(lb.ctx.backboneName);
    await lb.store.searchVectors(lb.ctx.backboneName, q.vectors.subarray(0, q.dim), 10);
    // Store + index only: the converted backbone under models/ is a one-off 17 MB, not per item.
    const data = path.join(work, 'data');
    const disk = fs.readdirSync(data).filter((f) => f.startsWith('lookbook.db')).reduce((n, f) => n + fs.statSync(path.join(data, f)).size, 0) + (fs.existsSync(path.join(data, 'index')) ? dirBytes(path.join(data, 'index')) : 0);
    return {
      images: rows.length,
      backbone: embedder.info.name,
      'backbone-only img/s': +(rows.length / backboneSecs).toFixed(1),
      'end-to-end img/s': +(first.embedded / e2eSecs).toFixed(1),
      'e2e / backbone': +((first.embedded / e2eSecs) / (rows.length / backboneSecs)).toFixed(3),
      'failed': first.failed.length,
      're-ingest s': +reSecs.toFixed(2),
      're-ingest CNN images': again.embedded,
      'peak RSS MB (whole run)': +(process.resourceUsage().maxRSS / 1024).toFixed(0),
      'disk bytes/item (SQLite + ANN index)': Math.round(disk / rows.length),
    };
  } finally {
    await lb.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const ni = args.indexOf('--n');
  const r = await benchIngest(ni >= 0 ? Number(args[ni + 1]) : 1000);
  if (args.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else console.log(table(Object.entries(r).map(([k, v]) => [k, v]), ['measure', 'value']));
}
