/**
 * Both stores side by side, and ingest with 1 vs 2 embedding workers (not a test).
 *   node --import tsx benchmarks/stores.ts --part vectors --store both --n 100000 --dim 1792 [--queries 100] [--exact-queries 20]
 *   node --import tsx benchmarks/stores.ts --part ingest --images 256 [--rounds 2]
 *   node --import tsx benchmarks/stores.ts --part distributed --images 192 [--rounds 2]
 * vectors: seeded clustered vectors (src/index/synthetic.ts), 10 categories (a filter keeps 10%).
 *   Run one store per process (--store sqlite | postgres) for a meaningful RSS figure.
 *   Reports load time, index build time, query p50/p99 with and without a filter, recall@10 against the
 *   store's exact search, RSS growth and bytes on disk per item. PostgreSQL is PGlite (PostgreSQL 18 + pgvector
 *   0.8 compiled to WASM, single-threaded, in this process) served over TCP to `pg`: a real server is faster.
 * ingest: real catalogue images (fashion-product-images-small): decode + embed + attributes, images/s, for the
 *   in-process pipeline (embedMany) and EmbedPool with 1 and 2 worker threads.
 * distributed: the same through the job table with 1 and 2 `ingest-worker` processes (images/s of the worker loops).
 * Data directories live under .cache/bench-stores/ and are removed at the end.
 */
import { execSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embedder, embedMany } from '../src/embeddings/embedder.ts';
import { extractAttributes } from '../src/attributes/index.ts';
import { clusteredVectors, gaussian, mulberry32, recallAtK } from '../src/index/synthetic.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { datasetPath, evalCacheDir } from '../src/testing/datasets.ts';
import { startPgliteServer, type PgliteServer } from '../src/testing/pglite-server.ts';
import type { Item } from '../src/types.ts';
import { EmbedPool } from '../src/workers/embed-pool.ts';
import { workerCommand } from '../src/workers/worker-command.ts';

const argv = process.argv;
const arg = (name: string, dflt: string) => (argv.indexOf(`--${name}`) >= 0 ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const PART = arg('part', 'all');
const WHICH = arg('store', 'both');
const N = Number(arg('n', '100000'));
const DIM = Number(arg('dim', '1792'));
const Q = Number(arg('queries', '100'));
const QX = Number(arg('exact-queries', '20'));
const IMAGES = Number(arg('images', '256'));
const ROUNDS = Number(arg('rounds', '2'));
const K = 10;
const CATS = Array.from({ length: 10 }, (_, i) => `cat-${i}`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mb = (b: number) => (b / 1e6).toFixed(0);
const du = (dir: string) => Number(execSync(`du -sb ${JSON.stringify(dir)}`).toString().split('\t')[0]);
const rss = () => process.memoryUsage().rss;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function queryRun(s: Store, queries: Float32Array, n: number, filter: { category: string } | undefined, exact: boolean) {
  const times: number[] = [];
  const ids: string[][] = [];
  for (let q = 0; q < n; q++) {
    const [hits, ms] = await timed(() => s.searchVectors('bench', queries.subarray(q * DIM, (q + 1) * DIM), K, { filter, exact }));
    times.push(ms);
    ids.push(hits.map((h) => h.id));
  }
  return { times, ids };
}

async function benchVectors(kind: 'sqlite' | 'postgres', vectors: Float32Array, queries: Float32Array): Promise<Record<string, string>> {
  const dir = evalCacheDir('bench-stores', `${kind}-${N}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const rss0 = rss();
  let server: PgliteServer | undefined;
  let store: Store;
  if (kind === 'postgres') {
    server = await startPgliteServer({ dataDir: dir });
    store = await PostgresStore.open({ url: server.url, deferIndexes: true, maxConnections: 2 });
  } else {
    store = new SqliteStore({ dataDir: dir, annThreshold: 1000, hnsw: { threads: 2 } });
  }
  const [, loadMs] = await timed(async () => {
    for (let s = 0; s < N; s += 1000) {
      const n = Math.min(1000, N - s);
      const items: Item[] = Array.from({ length: n }, (_, j) => ({
        id: `i${String(s + j).padStart(7, '0')}`, imagePath: null, contentHash: `h${s + j}`, title: null,
        category: CATS[(s + j) % CATS.length], colour: null, gender: null, price: s + j, meta: {},
      }));
      await store.upsertItems(items);
      await store.putFeatures(items.map((it, j) => ({ contentHash: it.contentHash!, backbone: 'bench', vector: vectors.subarray((s + j) * DIM, (s + j + 1) * DIM), attributes: { colours: [], histogram: [], foreground: 1 } })));
      if ((s / 1000) % 10 === 0) process.stderr.write(`  ${kind}: loaded ${s + n}/${N}\n`);
    }
  });
  const [, buildMs] = await timed(async () => {
    if (store instanceof PostgresStore) {
      await store.pool.query("SET maintenance_work_mem = '512MB'").catch(() => undefined);
      await store.buildIndexes();
    } else await (store as SqliteStore).warmIndex('bench');
    // first query also pays any lazy load
    await store.searchVectors('bench', queries.subarray(0, DIM), K);
  });
  process.stderr.write(`  ${kind}: build ${(buildMs / 1000).toFixed(1)} s\n`);
  const filter = { category: 'cat-3' };
  const ann = await queryRun(store, queries, Q, undefined, false);
  const annF = await queryRun(store, queries, Q, filter, false);
  const ex = await queryRun(store, queries, QX, undefined, true);
  const exF = await queryRun(store, queries, QX, filter, true);
  const rssGrowth = rss() - rss0;
  await store.close();
  await server?.stop();
  const disk = du(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    store: kind === 'postgres' ? 'postgres (PGlite)' : 'sqlite + usearch',
    'load s': (loadMs / 1000).toFixed(1),
    'index s': (buildMs / 1000).toFixed(1),
    'ANN p50/p99 ms': `${pct(ann.times, 50).toFixed(1)} / ${pct(ann.times, 99).toFixed(1)}`,
    'ANN+filter p50/p99 ms': `${pct(annF.times, 50).toFixed(1)} / ${pct(annF.times, 99).toFixed(1)}`,
    'exact p50 ms': pct(ex.times, 50).toFixed(0),
    'exact+filter p50 ms': pct(exF.times, 50).toFixed(0),
    'recall@10': recallAtK(ann.ids.slice(0, QX), ex.ids, K).toFixed(3),
    'recall@10 filter': recallAtK(annF.ids.slice(0, QX), exF.ids, K).toFixed(3),
    'RSS +MB': mb(rssGrowth),
    'disk B/item': (disk / N).toFixed(0),
  };
}

async function benchIngest(): Promise<Record<string, string>[]> {
  const root = datasetPath('fashion-small');
  if (!root) {
    console.log('# ingest: fashion-product-images-small not found: skipped');
    return [];
  }
  const files = fs.readdirSync(path.join(root, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, IMAGES).map((f) => path.join(root, 'images', f));
  for (const f of files) fs.readFileSync(f); // page cache warm for every configuration
  const dataDir = evalCacheDir('bench-backbone'); // prepared backbone cache (created on first use)
  const jobs = files.map((f) => ({ key: f, source: f }));
  const configs: { name: string; run: () => Promise<number> }[] = [
    {
      name: 'in-process embedMany, 1 session × 2 ORT threads',
      run: async () => {
        const e = await Embedder.create({ dataDir, threads: 2, batchSize: 32 });
        let n = 0;
        const t = performance.now();
        for await (const r of embedMany(e, jobs)) if (!('error' in r)) (extractAttributes(r.prepared.raster), n++);
        const ms = performance.now() - t;
        await e.dispose();
        return n / (ms / 1000);
      },
    },
    ...([[1, 2], [2, 1], [2, 2]] as const).map(([workers, threads]) => ({
      name: `EmbedPool ${workers} worker thread(s) × ${threads} ORT thread(s)`,
      run: async () => {
        const pool = await EmbedPool.create({ workers, threadsPerWorker: threads, dataDir, batchSize: 32 });
        let n = 0;
        const t = performance.now();
        for await (const rs of pool.embed(jobs)) n += rs.filter((r) => !('error' in r)).length;
        const ms = performance.now() - t;
        await pool.close();
        return n / (ms / 1000);
      },
    })),
  ];
  // Rounds interleave the configurations so that changing background load hits them alike.
  const rates = configs.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of configs.entries()) {
      rates[i].push(await c.run());
      process.stderr.write(`  ingest round ${round + 1}: ${c.name}: ${rates[i].at(-1)!.toFixed(1)} img/s (load ${os.loadavg()[0].toFixed(1)})\n`);
    }
  }
  const rows = configs.map((c, i) => ({
    config: c.name,
    images: String(files.length),
    'images/s per round': rates[i].map((r) => r.toFixed(1)).join(', '),
    'best images/s': Math.max(...rates[i]).toFixed(1),
  }));
  return rows;
}

/** 1 vs N `ingest-worker` processes on one job table (PGlite), real CNN; each worker loop times itself. */
async function benchDistributed(): Promise<Record<string, string>[]> {
  const root = datasetPath('fashion-small');
  if (!root) return [];
  const csv = fs.readFileSync(path.join(root, 'styles.csv'), 'utf8').split('\n');
  const dir = evalCacheDir('bench-stores', 'distributed');
  fs.mkdirSync(dir, { recursive: true });
  const catalogue = path.join(dir, 'products.csv');
  fs.writeFileSync(catalogue, csv.slice(0, IMAGES + 1).join('\n') + '\n');
  const rows: Record<string, string>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const procs of [1, 2]) {
      const server = await startPgliteServer();
      const common = ['--store', server.url, '--data-dir', evalCacheDir('bench-backbone'), '-q'];
      await workerCommand().parseAsync(['node', 'x', ...common, '--enqueue', catalogue, '--images', path.join(root, 'images')], { from: 'node' });
      const reports = await Promise.all(
        Array.from({ length: procs }, (_, i) => {
          const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--part', 'worker-child', ...common, '--batch', '16', '--id', `w${i}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          return new Promise<{ jobs: number; seconds: number }>((resolve) => child.on('exit', () => resolve(JSON.parse(out.slice(out.indexOf('{'))))));
        }),
      );
      await server.stop();
      const jobs = reports.reduce((a, r) => a + r.jobs, 0);
      const secs = Math.max(...reports.map((r) => r.seconds));
      rows.push({ round: String(round + 1), processes: String(procs), 'jobs per worker': reports.map((r) => r.jobs).join(' + '), 'images/s': (jobs / secs).toFixed(1) });
      process.stderr.write(`  distributed ${procs} process(es): ${(jobs / secs).toFixed(1)} img/s (load ${os.loadavg()[0].toFixed(1)})\n`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}

function table(rows: Record<string, string>[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
}

if (PART === 'worker-child') {
  // A child of --part distributed: one `lookbook ingest-worker` process.
  await workerCommand().parseAsync(argv.filter((a, i) => a !== '--part' && argv[i - 1] !== '--part'), { from: 'node' });
  process.exit(0);
}
console.log(`# stores benchmark  ${new Date().toISOString()}  node ${process.version}  load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
if (PART === 'all' || PART === 'vectors') {
  console.log(`## vectors: n=${N} dim=${DIM} queries=${Q} (exact ${QX}), k=${K}, filter keeps 10%`);
  const { vectors } = clusteredVectors({ n: N, dim: DIM, seed: 7 });
  // Queries: stored points moved by fresh noise of the clusters' spread (near a cluster, not an item).
  const g = gaussian(mulberry32(99));
  const queries = new Float32Array(Q * DIM);
  for (let q = 0; q < Q; q++) {
    const src = Math.floor((q * 7919) % N);
    for (let j = 0; j < DIM; j++) queries[q * DIM + j] = vectors[src * DIM + j] + (0.5 / Math.sqrt(DIM)) * g();
  }
  const rows: Record<string, string>[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) if (WHICH === 'both' || WHICH === kind) rows.push(await benchVectors(kind, vectors, queries));
  table(rows);
}
if (PART === 'all' || PART === 'ingest') {
  console.log(`## ingest: ${IMAGES} catalogue JPEGs, decode + embed (mobilenet_v2_140, batch 32) + colour/pattern attributes`);
  table(await benchIngest());
}
if (PART === 'all' || PART === 'distributed') {
  console.log(`## distributed ingest: ${IMAGES} catalogue JPEGs, 1 vs 2 ingest-worker processes, job table on PGlite, real CNN`);
  table(await benchDistributed());
}
