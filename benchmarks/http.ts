/**
 * HTTP benchmark (not a test): requests per second and latency of GET /api/items/:id/similar on a
 * catalogue of seeded clustered vectors inserted through the store (no CNN). The server runs in its own
 * process(es) — `bin/lookbook.js serve --workers <n>` — and the load comes from another process:
 * `wrk` (Debian package) when installed, else a keep-alive node:http loop in this process.
 *   node --import tsx benchmarks/http.ts [--n 10000] [--dim 1792] [--seconds 10] [--concurrency 16] [--k 10]
 *                                        [--workers 1] [--loader wrk|node] [--keep]
 * Reports client-side req/s and latency percentiles, status classes, the server's own handler latency
 * (GET /metrics of every worker) and the server processes' CPU time per request (from /proc).
 * The data directory lives under .cache/bench-http/; --keep keeps it (and reuses it on the next run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { clusteredVectors } from '../src/index/synthetic.ts';
import { Lookbook } from '../src/lookbook.ts';
import { evalCacheDir, REPO_ROOT } from '../src/testing/datasets.ts';
import type { Item } from '../src/types.ts';
import { arg } from './util.ts';


const N = arg('n', 10_000);
const DIM = arg('dim', 1792);
const SECONDS = arg('seconds', 10);
const CONCURRENCY = arg('concurrency', 16);
const K = arg('k', 10);
const WORKERS = arg('workers', 1);
const KEEP = process.argv.includes('--keep');
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const loaderArg = process.argv[process.argv.indexOf('--loader') + 1];
const LOADER = process.argv.includes('--loader') ? loaderArg : hasWrk ? 'wrk' : 'node';

interface LoadResult {
  requests: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  s5xx: number;
  s4xx: number;
  socketErrors: number;
}

async function buildCatalogue(dataDir: string): Promise<void> {
  const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
  try {
    if ((await lb.store.countItems()) === N) return;
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
    const t1 = performance.now();
    // Build and save the ANN index now, so that the server processes load it instead.
    const warm = (lb.store as { warmIndex?: (s: string) => Promise<unknown> }).warmIndex;
    await warm?.call(lb.store, lb.ctx.backboneName);
    console.log(`catalogue: ${N} items in ${((t1 - t0) / 1000).toFixed(1)} s; ANN index built in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  } finally {
    await lb.close();
  }
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOOKBOOK_')));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'lookbook.js'), 'serve', '-d', dataDir, '-H', '127.0.0.1', '-p', '0', '--workers', String(WORKERS), '-q'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving \d+ items at (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (code ${code}) before listening: ${out}`)));
  });
  return { child, url };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject);
  });
}

const WRK_SCRIPT = `
local threads = {}
local n = 0
function setup(thread) n = n + 1; thread:set("seed", n * 7919); table.insert(threads, thread) end
function init(args) math.randomseed(seed); s5 = 0; s4 = 0 end
function request() return wrk.format("GET", "/api/items/it" .. math.random(0, ${N - 1}) .. "/similar?k=${K}") end
function response(status) if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1 end end
function done(summary, latency, requests)
  local t5, t4 = 0, 0
  for _, t in ipairs(threads) do t5 = t5 + t:get("s5"); t4 = t4 + t:get("s4") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"s5xx":%d,"s4xx":%d,"socketErrors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, t5, t4,
    e.connect + e.read + e.write + e.timeout))
end
`;

function runWrk(url: string, seconds: number, scriptPath: string): LoadResult {
  const r = spawnSync('wrk', ['-t', '1', '-c', String(CONCURRENCY), '-d', `${seconds}s`, '--timeout', '5s', '-s', scriptPath, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const m = /RESULT (\{.*\})/.exec(r.stdout ?? '');
  if (!m) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const j = JSON.parse(m[1]!) as Record<string, number>;
  const ms = (us: number) => us / 1000;
  return { requests: j.requests!, seconds: j.us! / 1e6, p50: ms(j.p50!), p90: ms(j.p90!), p99: ms(j.p99!), max: ms(j.max!), s5xx: j.s5xx!, s4xx: j.s4xx!, socketErrors: j.socketErrors! };
}

async function runNode(base: string, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let s5xx = 0;
  let s4xx = 0;
  let socketErrors = 0;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const one = (p: string) =>
    new Promise<number>((resolve) => {
      http.get(`${base}${p}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', () => resolve(0));
    });
  const deadline = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const s = performance.now();
      const status = await one(`/api/items/it${Math.floor(rand() * N)}/similar?k=${K}`);
      latencies.push(performance.now() - s);
      if (status === 0) socketErrors++;
      else if (status >= 500) s5xx++;
      else if (status >= 400) s4xx++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const xs = Float64Array.from(latencies).sort();
  const pct = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  return { requests: xs.length, seconds: elapsed, p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: xs[xs.length - 1]!, s5xx, s4xx, socketErrors };
}

/** utime + stime of a process in ms (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** /metrics of every worker (new connections until each worker has answered, bounded). */
async function workerMetrics(base: string): Promise<Map<number, { pid: number; latency: Record<string, number> }>> {
  const seen = new Map<number, { pid: number; latency: Record<string, number> }>();
  for (let i = 0; i < 40 && seen.size < WORKERS; i++) {
    const m = JSON.parse((await get(`${base}/metrics`, { connection: 'close' })).body) as { process: { pid: number; worker?: number }; latency: Record<string, number> };
    seen.set(m.process.worker ?? 1, { pid: m.process.pid, latency: m.latency });
  }
  return seen;
}

async function main(): Promise<void> {
  const dataDir = evalCacheDir('bench-http', KEEP ? `n${N}-d${DIM}` : `n${N}-d${DIM}-${process.pid}`);
  if (!KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`http bench: n=${N} dim=${DIM} k=${K} workers=${WORKERS} loader=${LOADER} concurrency=${CONCURRENCY} duration=${SECONDS}s cpus=${os.cpus().length} node=${process.version} loadavg=${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await buildCatalogue(dataDir);
  const t0 = performance.now();
  const { child, url } = await startServer(dataDir);
  const scriptPath = path.join(dataDir, 'bench.lua');
  try {
    console.log(`server: ${url}, ${WORKERS} process(es), ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const first = await get(`${url}/api/items/it0/similar?k=${K}`);
    if (first.status !== 200) throw new Error(`first request answered ${first.status}: ${first.body}`);
    fs.writeFileSync(scriptPath, WRK_SCRIPT);
    const load = (seconds: number) => (LOADER === 'wrk' ? Promise.resolve(runWrk(url, seconds, scriptPath)) : runNode(url, seconds));
    await load(2); // warm-up (JIT, page cache)
    const pids = [...new Set([child.pid!, ...[...(await workerMetrics(url)).values()].map((m) => m.pid)])];
    const cpu0 = pids.reduce((a, p) => a + cpuMs(p), 0);
    const r = await load(SECONDS);
    const cpu = pids.reduce((a, p) => a + cpuMs(p), 0) - cpu0;
    console.table([
      {
        requests: r.requests,
        seconds: +r.seconds.toFixed(2),
        'req/s': Math.round(r.requests / r.seconds),
        'p50 ms': +r.p50.toFixed(2),
        'p90 ms': +r.p90.toFixed(2),
        'p99 ms': +r.p99.toFixed(2),
        'max ms': +r.max.toFixed(2),
        '5xx': r.s5xx,
        '4xx': r.s4xx,
        'socket errors': r.socketErrors,
      },
    ]);
    console.log(`server CPU: ${(cpu / r.requests).toFixed(2)} ms per request in ${pids.length} server process(es) (${(cpu / 1000 / r.seconds).toFixed(2)} cores busy)`);
    for (const [w, m] of [...(await workerMetrics(url))].sort((a, b) => a[0] - b[0])) {
      console.log(`worker ${w} (pid ${m.pid}) handler latency over its last ${m.latency.count} requests: p50 ${m.latency.p50Ms} ms, p90 ${m.latency.p90Ms} ms, p99 ${m.latency.p99Ms} ms`);
    }
    if (r.s5xx > 0 || r.socketErrors > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    fs.rmSync(scriptPath, { force: true });
    if (!KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
