/**
 * Store / ANN benchmark on seeded clustered vectors (not a test).
 *   node --import tsx benchmarks/store.ts --n 10000 --dim 1792 [--queries 200] [--threads 2]
 * Reports: ingest time, bytes on disk per item, HNSW build and reload time, query p50/p99
 * (ANN via store.searchVectors vs exact brute force) and recall@10 of ANN against exact, and the first
 * search after a small catalogue change (--changes new items + as many removals; index updated by key).
 * The data directory lives under .cache/bench-store/ and is removed at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { clusteredVectors, recallAtK } from '../src/index/synthetic.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { evalCacheDir } from '../src/testing/datasets.ts';
import { arg, dirBytes, pct } from './util.ts';

const N = arg('n', 10_000);
const DIM = arg('dim', 1792);
const Q = arg('queries', 200);
const THREADS = arg('threads', 2);
const CHANGES = arg('changes', 100);
const K = 10;

async function main(): Promise<void> {
  const dataDir = evalCacheDir('bench-store', `n${N}-d${DIM}-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`store bench: n=${N} dim=${DIM} queries=${Q} k=${K} threads=${THREADS} (clustered, seed 42, ${Math.ceil(Math.sqrt(N))} clusters)`);
  const t0 = performance.now();
  const { vectors } = clusteredVectors({ n: N, dim: DIM, seed: 42 });
  const queries = clusteredVectors({ n: Q, dim: DIM, seed: 42 ^ 0x55 }).vectors;
  // Queries from the same centres: regenerate with the same seed and a different noise draw.
  const sameCentres = clusteredVectors({ n: N + Q, dim: DIM, seed: 42 }).vectors.subarray(N * DIM);
  console.log(`generate: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const opts = { dataDir, annThreshold: 0, hnsw: { threads: THREADS } };
  let s = new SqliteStore(opts);
  const t1 = performance.now();
  const CH = 5000;
  for (let off = 0; off < N; off += CH) {
    const end = Math.min(N, off + CH);
    const idx = Array.from({ length: end - off }, (_, j) => off + j);
    await s.upsertItems(
      idx.map((i) => ({ id: `i${i}`, imagePath: null, contentHash: `h${i}`, title: `t${i}`, category: ['a', 'b', 'c', 'd'][i % 4], colour: null, gender: null, price: i % 100, meta: { k: String(i % 10) } })),
    );
    await s.putFeatures(idx.map((i) => ({ contentHash: `h${i}`, backbone: 'bb', vector: vectors.subarray(i * DIM, (i + 1) * DIM), attributes: { colours: [], histogram: [], foreground: 1 } })));
  }
  const ingestS = (performance.now() - t1) / 1000;
  console.log(`ingest (SQLite, ${CH}-row transactions): ${ingestS.toFixed(1)} s (${Math.round(N / ingestS)} items/s)`);
  s.db.pragma('wal_checkpoint(TRUNCATE)');
  const dbBytes = dirBytes(dataDir);

  const t2 = performance.now();
  const warm = await s.warmIndex('bb');
  const buildS = (performance.now() - t2) / 1000;
  const indexBytes = fs.statSync(s.spaces.indexPath('bb')).size;
  console.log(`HNSW build (load matrix from SQLite + add + atomic save): ${buildS.toFixed(1)} s (${warm.source}, ${warm.size} vectors)`);
  await s.close();

  s = new SqliteStore(opts);
  const t3 = performance.now();
  const again = await s.warmIndex('bb');
  console.log(`reopen (load matrix + index file): ${((performance.now() - t3) / 1000).toFixed(1)} s (${again.source})`);
  console.log(`disk: SQLite ${(dbBytes / N).toFixed(0)} B/item (raw f32 vector ${DIM * 4} B), index file ${(indexBytes / N).toFixed(0)} B/item, total ${((dbBytes + indexBytes) / N).toFixed(0)} B/item`);

  for (const [label, qs] of [['held-out queries (same clusters)', sameCentres], ['other-cluster queries', queries]] as const) {
    const annMs: number[] = [];
    const exactMs: number[] = [];
    const approx: string[][] = [];
    const exact: string[][] = [];
    for (let q = 0; q < Q; q++) {
      const query = qs.slice(q * DIM, (q + 1) * DIM);
      let t = performance.now();
      approx.push((await s.searchVectors('bb', query, K)).map((h) => h.id));
      annMs.push(performance.now() - t);
      t = performance.now();
      exact.push((await s.searchVectors('bb', query, K, { exact: true })).map((h) => h.id));
      exactMs.push(performance.now() - t);
    }
    console.log(
      `${label}: ANN p50 ${pct(annMs, 50).toFixed(2)} ms p99 ${pct(annMs, 99).toFixed(2)} ms | exact p50 ${pct(exactMs, 50).toFixed(2)} ms p99 ${pct(exactMs, 99).toFixed(2)} ms | recall@10 ${recallAtK(approx, exact, K).toFixed(4)}`,
    );
  }
  const fq = sameCentres.slice(0, DIM);
  const tf = performance.now();
  for (let i = 0; i < 20; i++) await s.searchVectors('bb', fq, K, { filter: { category: 'a', price: { max: 49 } } });
  console.log(`filtered ANN (category + price, ~12% of items): ${((performance.now() - tf) / 20).toFixed(2)} ms/query (includes the SQL id lookup)`);

  // A small catalogue change: CHANGES new items (vectors from the same clusters) and CHANGES removals.
  const extra = clusteredVectors({ n: N + Q + CHANGES, dim: DIM, seed: 42 }).vectors.subarray((N + Q) * DIM);
  const added = Array.from({ length: CHANGES }, (_, j) => N + Q + j);
  await s.upsertItems(added.map((i) => ({ id: `i${i}`, imagePath: null, contentHash: `h${i}`, title: null, category: 'a', colour: null, gender: null, price: 1, meta: {} })));
  await s.putFeatures(added.map((i, j) => ({ contentHash: `h${i}`, backbone: 'bb', vector: extra.subarray(j * DIM, (j + 1) * DIM), attributes: { colours: [], histogram: [], foreground: 1 } })));
  await s.deleteItems(Array.from({ length: CHANGES }, (_, j) => `i${j * 7}`));
  const tu = performance.now();
  const upd = await s.warmIndex('bb');
  const updS = (performance.now() - tu) / 1000;
  const hit = (await s.searchVectors('bb', extra.slice(0, DIM), 1))[0]?.id;
  console.log(`after +${CHANGES} / -${CHANGES} items: first search ${updS.toFixed(1)} s (${upd.source}; reload rows from SQLite + index update + save; a rebuild took ${buildS.toFixed(1)} s); new item found: ${hit === `i${N + Q}`}`);
  await s.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
