/**
 * Complete-the-look latency: one seed item → N=3 outfits over the learned categories, on a data
 * directory with a registered compatibility model (e.g. after
 * `node --import tsx evals/compatibility.ts --data-dir .cache/eval/mango --register`).
 *   node --import tsx benchmarks/outfit.ts --data-dir .cache/eval/mango [--queries 50] [--json]
 * Prints catalogue size, p50/p95/max latency of completeTheLook and of scoreOutfit.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/index.ts';
import { completeTheLook, openOutfitContext, scoreOutfit } from '../src/pipelines/outfit.ts';
import { makeRng } from '../src/models/compatibility/data.ts';
import { pct } from './util.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.cache/eval/mango' },
    queries: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const dataDir = path.resolve(values['data-dir']!);
const store = await openStore({ dataDir });
try {
  const ctx = await openOutfitContext(store, dataDir);
  const { ids } = await store.allItemVectors(ctx.model.meta.backbone);
  const outfits = await store.listOutfits();
  const rng = makeRng(1);
  const q = Number(values.queries);
  const seeds = Array.from({ length: q }, () => outfits[Math.floor(rng() * outfits.length)].itemIds[0]);
  await completeTheLook(ctx, { itemIds: [seeds[0]], n: 3 }); // warm-up (index load, JIT)
  const lat: number[] = [];
  let produced = 0;
  for (const s of seeds) {
    const t0 = performance.now();
    const r = await completeTheLook(ctx, { itemIds: [s], n: 3 });
    lat.push(performance.now() - t0);
    produced += r.outfits.length;
  }
  const sc: number[] = [];
  for (const o of outfits.slice(0, q)) {
    const t0 = performance.now();
    await scoreOutfit(ctx, o.itemIds);
    sc.push(performance.now() - t0);
  }
  const report = {
    catalogueItems: ids.length, queries: q, outfitsPerQuery: produced / q,
    completeTheLookMs: { p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat) },
    scoreOutfitMs: { p50: pct(sc, 50), p95: pct(sc, 95) },
    command: `node --import tsx benchmarks/outfit.ts ${process.argv.slice(2).join(' ')}`.trim(),
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`catalogue ${report.catalogueItems} items with features; ${q} seed items; ${report.outfitsPerQuery.toFixed(1)} outfits per query`);
    console.log(`complete-the-look (n=3): p50 ${report.completeTheLookMs.p50.toFixed(1)} ms, p95 ${report.completeTheLookMs.p95.toFixed(1)} ms, max ${report.completeTheLookMs.max.toFixed(1)} ms (target ≤ 300 ms)`);
    console.log(`score outfit: p50 ${report.scoreOutfitMs.p50.toFixed(1)} ms, p95 ${report.scoreOutfitMs.p95.toFixed(1)} ms`);
  }
} finally {
  await store.close();
}
