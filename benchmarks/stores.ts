/**
 * Both stores side by side, and ingest with 1 vs 2 embedding workers (not a test).
 *   node --import tsx benchmarks/stores.ts --part vectors --store both --n 100000 --dim 1792 [--queries 100] [--exact-queries 20]
 *     [--pg-url postgres://postgres@127.0.0.1:5433/lookbook] [--maintenance-work-mem 512MB] [--quantization f32|f16|i8]
 *   node --import tsx benchmarks/stores.ts --part ingest --images 256 [--rounds 2]
 *   node --import tsx benchmarks/stores.ts --part distributed --images 192 [--rounds 2]
 * vectors: seeded clustered vectors streamed in batches of 1,000 (ClusteredStream in src/index/synthetic.ts: any row
 *   is regenerated from (seed, i), so 1M × 1792 never sits in this process), 10 categories (a filter keeps 10%).
 *   --pg-url: a native PostgreSQL + pgvector server (scripts/native-postgres.sh) instead of PGlite; its `public`
 *   schema is dropped and recreated before the run (everything in that database is lost), disk = growth of
 *   pg_database_size, memory = summed PSS of the local `postgres` processes. --quantization: usearch precision
 *   of the SQLite store's index (default f32). --ef-search 100,40,200: hnsw.ef_search of the PostgreSQL store, the
 *   first for the main row, the others as extra ANN rows on the same index (native only). --reuse-pg: keep a native database
 *   that already holds exactly n bench vectors with their index (skips load and build; disk = items + features).
 *   Before timing: a native server's HNSW index is read into the OS cache (pg_prewarm), then every store answers
 *   --warmup-queries (default 50) other queries with and without the filter, untimed. --m 16 --ef-construction 128:
 *   the PostgreSQL store's HNSW build parameters (its defaults).
 *   Run one store per process (--store sqlite | postgres) for a meaningful RSS figure.
 *   Reports load time, index build time, query p50/p99 with and without a filter, recall@10 against the
 *   store's exact search, RSS growth and bytes on disk per item. Without --pg-url PostgreSQL is PGlite (PostgreSQL 18
 *   + pgvector 0.8 compiled to WASM, single-threaded, in this process) served over TCP to `pg`.
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
import pg from 'pg';
import { ClusteredStream, gaussian, mulberry32, recallAtK } from '../src/index/synthetic.ts';
import type { HnswQuantization } from '../src/index/hnsw/hnsw-index.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { datasetPath, evalCacheDir } from '../src/testing/datasets.ts';
import { startPgliteServer, type PgliteServer } from '../src/testing/pglite-server.ts';
import type { Item } from '../src/types.ts';
import { EmbedPool } from '../src/workers/embed-pool.ts';
import { workerCommand } from '../src/workers/worker-command.ts';
import { argText, pct } from './util.ts';

const argv = process.argv;
const arg = argText;
const PART = arg('part', 'all');
const WHICH = arg('store', 'both');
const N = Number(arg('n', '100000'));
const DIM = Number(arg('dim', '1792'));
const Q = Number(arg('queries', '100'));
const QX = Number(arg('exact-queries', '20'));
const IMAGES = Number(arg('images', '256'));
const ROUNDS = Number(arg('rounds', '2'));
const PG_URL = arg('pg-url', '');
const MWM = arg('maintenance-work-mem', PG_URL ? '' : '512MB');
const QUANT = arg('quantization', 'f32') as HnswQuantization;
const EFS = arg('ef-search', '200').split(',').map(Number);
const REUSE = argv.includes('--reuse-pg');
const PG_M = Number(arg('m', '16'));
const PG_EFC = Number(arg('ef-construction', '128'));
const WARM = Number(arg('warmup-queries', '50'));
const K = 10;
const CATS = Array.from({ length: 10 }, (_, i) => `cat-${i}`);

const mb = (b: number) => (b / 1e6).toFixed(0);
const du = (dir: string) => Number(execSync(`du -sb ${JSON.stringify(dir)}`).toString().split('\t')[0]);
const rss = () => process.memoryUsage().rss;
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
/** Summed proportional set size (bytes) of the local `postgres` processes (a native server on this machine). */
function postgresPss(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * Empties the native server's database (public schema) so each run starts clean, unless --reuse-pg and it already
 * holds exactly N indexed bench vectors; returns its size afterwards.
 */
async function resetNative(url: string): Promise<{ bytes: number; server: string; mwm: string; reused: boolean }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const held = REUSE
      ? await c
          .query("SELECT (SELECT count(*) FROM features WHERE backbone = 'bench')::int AS n, (SELECT index_name FROM vector_spaces WHERE space = 'bench') AS idx")
          .then((r) => (r.rows[0].idx ? r.rows[0].n : -1), () => -1)
      : -1;
    const reused = held === N;
    if (!reused) await c.query('DROP SCHEMA IF EXISTS public CASCADE');
    await c.query('CREATE SCHEMA IF NOT EXISTS public');
    await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    if (MWM) await c.query(`ALTER DATABASE ${c.database} SET maintenance_work_mem = '${MWM.replace(/[^0-9A-Za-z]/g, '')}'`);
    await c.query('CHECKPOINT');
    const v = await c.query("SELECT current_setting('server_version_num')::int / 10000 AS s, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS v, pg_database_size(current_database())::float8 AS b");
    const fresh = new pg.Client({ connectionString: url }); // ALTER DATABASE … SET applies to new sessions
    await fresh.connect();
    const mwm = (await fresh.query('SHOW maintenance_work_mem')).rows[0].maintenance_work_mem as string;
    await fresh.end();
    return { bytes: v.rows[0].b, server: `postgres ${v.rows[0].s} + pgvector ${v.rows[0].v} (native)`, mwm, reused };
  } finally {
    await c.end();
  }
}

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

/** Polls pgvector's build progress (pg_stat_progress_create_index) of a native server into the log. */
function watchBuild(url: string, t0: number): () => Promise<void> {
  const c = new pg.Client({ connectionString: url });
  const ready = c.connect().then(() => true, () => false);
  const timer = setInterval(async () => {
    if (!(await ready)) return;
    const r = await c.query('SELECT phase, tuples_done, tuples_total FROM pg_stat_progress_create_index').catch(() => undefined);
    const p = r?.rows[0];
    const s = (performance.now() - t0) / 1000;
    if (p) process.stderr.write(`  postgres: build ${s.toFixed(0)} s: ${p.phase} ${p.tuples_done}/${p.tuples_total} (${(Number(p.tuples_done) / s).toFixed(0)} rows/s, load ${loadavg()})\n`);
  }, 60_000);
  return async () => {
    clearInterval(timer);
    if (await ready) await c.end();
  };
}

async function benchVectors(kind: 'sqlite' | 'postgres', gen: ClusteredStream, queries: Float32Array, warmup: Float32Array): Promise<Record<string, string>[]> {
  const dir = evalCacheDir('bench-stores', `${kind}-${N}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const rss0 = rss();
  const native = kind === 'postgres' && PG_URL ? await resetNative(PG_URL) : undefined;
  const pss0 = native ? postgresPss() : 0;
  let server: PgliteServer | undefined;
  let store: Store;
  if (kind === 'postgres') {
    if (!native) server = await startPgliteServer({ dataDir: dir });
    store = await PostgresStore.open({ url: native ? PG_URL : server!.url, deferIndexes: true, maxConnections: 2, efSearch: EFS[0], m: PG_M, efConstruction: PG_EFC });
  } else {
    store = new SqliteStore({ dataDir: dir, annThreshold: 1000, hnsw: { threads: 2, quantization: QUANT } });
  }
  const label = kind === 'sqlite' ? `sqlite + usearch${QUANT === 'f32' ? '' : ` (${QUANT})`}` : (native?.server ?? 'postgres (PGlite)');
  process.stderr.write(`  ${label}: start (load ${loadavg()}${kind === 'postgres' ? `, maintenance_work_mem ${native?.mwm ?? MWM}, HNSW m ${PG_M} ef_construction ${PG_EFC}` : ''})\n`);
  const [, loadMs] = await timed(async () => {
    if (native?.reused) return;
    const t0 = performance.now();
    for (let s = 0; s < N; s += 1000) {
      const n = Math.min(1000, N - s);
      const vectors = gen.rows(s, n);
      const items: Item[] = Array.from({ length: n }, (_, j) => ({
        id: `i${String(s + j).padStart(7, '0')}`, imagePath: null, contentHash: `h${s + j}`, title: null,
        category: CATS[(s + j) % CATS.length], colour: null, gender: null, price: s + j, meta: {},
      }));
      await store.upsertItems(items);
      await store.putFeatures(items.map((it, j) => ({ contentHash: it.contentHash!, backbone: 'bench', vector: vectors.subarray(j * DIM, (j + 1) * DIM), attributes: { colours: [], histogram: [], foreground: 1 } })));
      if ((s / 1000) % 50 === 0 || s + n === N) {
        const secs = (performance.now() - t0) / 1000;
        process.stderr.write(`  ${kind}: loaded ${s + n}/${N} in ${secs.toFixed(0)} s (${((s + n) / secs).toFixed(0)} rows/s, load ${loadavg()})\n`);
      }
    }
  });
  const stopWatch = native ? watchBuild(PG_URL, performance.now()) : async () => undefined;
  const [, buildMs] = await timed(async () => {
    if (native?.reused) return;
    if (store instanceof PostgresStore) {
      if (!native) await store.pool.query(`SET maintenance_work_mem = '${MWM}'`).catch(() => undefined);
      await store.buildIndexes();
      await store.pool.query('ANALYZE items; ANALYZE features'); // planner statistics after the bulk load
    } else await (store as SqliteStore).warmIndex('bench');
    // first query also pays any lazy load
    await store.searchVectors('bench', queries.subarray(0, DIM), K);
  });
  await stopWatch();
  process.stderr.write(`  ${kind}: build ${(buildMs / 1000).toFixed(1)} s (load ${loadavg()})\n`);
  const filter = { category: 'cat-3' };
  if (native && store instanceof PostgresStore) {
    // The 1M index (8 GB) outgrows shared_buffers: read it once into the OS page cache, as a serving box would hold it.
    const [, ms] = await timed(() =>
      (store as PostgresStore).pool.query(`CREATE EXTENSION IF NOT EXISTS pg_prewarm;
        SELECT pg_prewarm(indexrelid::regclass, 'read') FROM pg_index WHERE indrelid = 'features'::regclass AND indexrelid::regclass::text LIKE 'lb_hnsw_%'`),
    );
    process.stderr.write(`  postgres: pg_prewarm of the HNSW index ${(ms / 1000).toFixed(1)} s\n`);
  }
  // Untimed warm-up on other queries (other sources), with and without the filter.
  await queryRun(store, warmup, WARM, undefined, false);
  await queryRun(store, warmup, WARM, filter, false);
  const ann = await queryRun(store, queries, Q, undefined, false);
  const annF = await queryRun(store, queries, Q, filter, false);
  process.stderr.write(`  ${kind}: ANN queries done (load ${loadavg()})\n`);
  const extra: { ef: number; ann: typeof ann; annF: typeof ann }[] = [];
  for (const ef of kind === 'postgres' && native ? EFS.slice(1) : []) {
    const s2 = await PostgresStore.open({ url: PG_URL, maxConnections: 1, efSearch: ef });
    extra.push({ ef, ann: await queryRun(s2, queries, Q, undefined, false), annF: await queryRun(s2, queries, Q, filter, false) });
    await s2.close();
    process.stderr.write(`  ${kind}: ANN queries at ef_search ${ef} done (load ${loadavg()})\n`);
  }
  const ex = await queryRun(store, queries, QX, undefined, true);
  const exF = await queryRun(store, queries, QX, filter, true);
  const rssGrowth = rss() - rss0;
  const pss = native ? postgresPss() - pss0 : 0;
  let disk: number;
  if (native && store instanceof PostgresStore) {
    const r = await store.pool.query(
      `SELECT pg_database_size(current_database())::float8 AS db, pg_total_relation_size('features')::float8 AS f,
         (SELECT sum(pg_relation_size(indexrelid))::float8 FROM pg_index WHERE indrelid = 'features'::regclass AND indexrelid::regclass::text LIKE 'lb_hnsw_%') AS hnsw`,
    );
    disk = native.reused
      ? (await store.pool.query("SELECT (pg_total_relation_size('features') + pg_total_relation_size('items'))::float8 AS b")).rows[0].b
      : r.rows[0].db - native.bytes;
    process.stderr.write(`  postgres: database +${mb(disk)} MB, features (table + TOAST + indexes) ${mb(r.rows[0].f)} MB, HNSW index ${mb(r.rows[0].hnsw)} MB\n`);
  }
  await store.close();
  await server?.stop();
  disk ??= du(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  const row = {
    store: label,
    ef_search: kind === 'postgres' ? String(EFS[0]) : '–',
    'load s': native?.reused ? 'reused' : (loadMs / 1000).toFixed(1),
    'index s': native?.reused ? 'reused' : (buildMs / 1000).toFixed(1),
    'ANN p50/p99 ms': `${pct(ann.times, 50).toFixed(1)} / ${pct(ann.times, 99).toFixed(1)}`,
    'ANN+filter p50/p99 ms': `${pct(annF.times, 50).toFixed(1)} / ${pct(annF.times, 99).toFixed(1)}`,
    'exact p50 ms': pct(ex.times, 50).toFixed(0),
    'exact+filter p50 ms': pct(exF.times, 50).toFixed(0),
    'recall@10': recallAtK(ann.ids.slice(0, QX), ex.ids, K).toFixed(3),
    'recall@10 filter': recallAtK(annF.ids.slice(0, QX), exF.ids, K).toFixed(3),
    'RSS +MB': mb(rssGrowth),
    'server PSS +MB': native ? mb(pss) : '–',
    'disk B/item': (disk / N).toFixed(0),
  };
  const sweep = extra.map((e) => ({
    ...row, ef_search: String(e.ef), 'load s': '–', 'index s': '–',
    'ANN p50/p99 ms': `${pct(e.ann.times, 50).toFixed(1)} / ${pct(e.ann.times, 99).toFixed(1)}`,
    'ANN+filter p50/p99 ms': `${pct(e.annF.times, 50).toFixed(1)} / ${pct(e.annF.times, 99).toFixed(1)}`,
    'recall@10': recallAtK(e.ann.ids.slice(0, QX), ex.ids, K).toFixed(3),
    'recall@10 filter': recallAtK(e.annF.ids.slice(0, QX), exF.ids, K).toFixed(3),
  }));
  return [row, ...sweep];
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
console.log(`# stores benchmark  ${new Date().toISOString()}  node ${process.version}  load avg ${loadavg()}`);
if (PART === 'all' || PART === 'vectors') {
  console.log(`## vectors: n=${N} dim=${DIM} queries=${Q} (exact ${QX}), k=${K}, filter keeps 10%`);
  const gen = new ClusteredStream({ n: N, dim: DIM, seed: 7 });
  // Queries: stored points moved by fresh noise of the clusters' spread (near a cluster, not an item).
  const g = gaussian(mulberry32(99));
  const near = (count: number, offset: number) => {
    const out = new Float32Array(count * DIM);
    for (let q = 0; q < count; q++) {
      const src = gen.row(Math.floor((q * 7919 + offset) % N));
      for (let j = 0; j < DIM; j++) out[q * DIM + j] = src[j] + (0.5 / Math.sqrt(DIM)) * g();
    }
    return out;
  };
  const queries = near(Q, 0);
  const warmup = near(WARM, 4243);
  const rows: Record<string, string>[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) if (WHICH === 'both' || WHICH === kind) rows.push(...(await benchVectors(kind, gen, queries, warmup)));
  table(rows);
  console.log(`# vectors done ${new Date().toISOString()}  load avg ${loadavg()}`);
}
if (PART === 'all' || PART === 'ingest') {
  console.log(`## ingest: ${IMAGES} catalogue JPEGs, decode + embed (mobilenet_v2_140, batch 32) + colour/pattern attributes`);
  table(await benchIngest());
}
if (PART === 'all' || PART === 'distributed') {
  console.log(`## distributed ingest: ${IMAGES} catalogue JPEGs, 1 vs 2 ingest-worker processes, job table on PGlite, real CNN`);
  table(await benchDistributed());
}
