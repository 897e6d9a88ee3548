/**
 * HTTP benchmark (not a test): requests per second and latency of GET /api/items/:id/similar on a
 * catalogue of seeded clustered vectors, inserted through the store (no CNN), served by the real
 * fastify app on 127.0.0.1 and driven by a bounded concurrent fetch loop in this process.
 *   node --import tsx benchmarks/http.ts [--n 10000] [--dim 1792] [--seconds 10] [--concurrency 16] [--k 10]
 * The data directory lives under .cache/bench-http/ and is removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import { clusteredVectors } from '../src/index/synthetic.ts';
import { Lookbook } from '../src/lookbook.ts';
import { startServer } from '../src/server/index.ts';
import { evalCacheDir } from '../src/testing/datasets.ts';
import type { Item } from '../src/types.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('n', 10_000);
const DIM = arg('dim', 1792);
const SECONDS = arg('seconds', 10);
const CONCURRENCY = arg('concurrency', 16);
const K = arg('k', 10);
const MAX_REQUESTS = arg('max-requests', 200_000);

const pct = (s: Float64Array, p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;

async function main(): Promise<void> {
  const dataDir = evalCacheDir('bench-http', `n${N}-d${DIM}-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`http bench: n=${N} dim=${DIM} k=${K} concurrency=${CONCURRENCY} duration≤${SECONDS}s cpus=${os.cpus().length} node=${process.version}`);
  const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const t0 = performance.now();
    const { vectors } = clusteredVectors({ n: N, dim: DIM, seed: 7 });
    const cats = ['Tshirts', 'Shirts', 'Jeans', 'Dresses', 'Shoes', 'Handbags', 'Watches', 'Sandals'];
    for (let off = 0; off < N; off += 2000) {
      const idx = Array.from({ length: Math.min(2000, N - off) }, (_, j) => off + j);
      const items: Item[] = idx.map((i) => ({
        id: `it${i}`, imagePath: null, contentHash: `h${i.toString(16).padStart(8, '0')}`, title: `Item ${i}`, category: cats[i % cats.length]!,
        colour: ['Black', 'White', 'Blue', 'Red'][i % 4]!, gender: i % 2 ? 'Men' : 'Women', price: 5 + (i % 200), meta: { usage: i % 5 ? 'Casual' : 'Formal' },
      }));
      await lb.store.putFeatures(items.map((it, j) => ({
        contentHash: it.contentHash!, backbone: lb.ctx.backboneName, vector: vectors.subarray((off + j) * DIM, (off + j + 1) * DIM),
        attributes: { colours: [{ name: 'black', hex: '#151515', lab: [8, 0, 0], share: 0.7 }, { name: 'white', hex: '#ffffff', lab: [100, 0, 0], share: 0.3 }], histogram: [], foreground: 0.6 },
      })));
      await lb.store.upsertItems(items);
    }
    console.log(`catalogue: ${N} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    server = await startServer(lb, { host: '127.0.0.1', port: 0 });
    const base = server.url;
    const t1 = performance.now();
    const warm = await fetch(`${base}/api/items/it0/similar?k=${K}`);
    if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${await warm.text()}`);
    console.log(`first query (builds/loads the ANN index): ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    for (let i = 0; i < 200; i++) await (await fetch(`${base}/api/items/it${(i * 37) % N}/similar?k=${K}`)).arrayBuffer();

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const deadline = performance.now() + SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < deadline && sent < MAX_REQUESTS) {
        sent++;
        const id = `it${Math.floor(rand() * N)}`;
        const s = performance.now();
        const r = await fetch(`${base}/api/items/${id}/similar?k=${K}`);
        await r.arrayBuffer();
        latencies.push(performance.now() - s);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    const tStart = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - tStart) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    const errors5xx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    const metrics = (await (await fetch(`${base}/metrics`)).json()) as { latency: Record<string, number> };
    console.table([
      {
        requests: latencies.length,
        seconds: +elapsed.toFixed(2),
        'req/s': Math.round(latencies.length / elapsed),
        'p50 ms': +pct(sorted, 0.5).toFixed(2),
        'p90 ms': +pct(sorted, 0.9).toFixed(2),
        'p99 ms': +pct(sorted, 0.99).toFixed(2),
        'max ms': +sorted[sorted.length - 1]!.toFixed(2),
        '5xx': errors5xx,
      },
    ]);
    console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}; server-side (handler) latency: p50 ${metrics.latency.p50Ms} ms, p99 ${metrics.latency.p99Ms} ms`);
    if (errors5xx > 0) process.exitCode = 1;
  } finally {
    await server?.close();
    await lb.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
