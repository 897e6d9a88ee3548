/**
 * `lookbook serve --workers 2` as a user runs it: a real CLI process forking two server workers over a
 * tiny data directory (features inserted through the store, no CNN). Both workers must answer on the
 * shared port, jobs are refused with 409, and SIGTERM stops every process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Lookbook } from '../lookbook.ts';
import { REPO_ROOT } from '../testing/datasets.ts';
import type { Item } from '../types.ts';

function request(url: string, method = 'GET', body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }> {
  return new Promise((resolve, reject) => {
    // agent: false → a new connection per request, so the cluster's round-robin reaches every worker.
    const req = http.request(url, { method, agent: false, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('serve --workers 2: both workers answer on one port, jobs are refused, SIGTERM stops all', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-cluster-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
  const items: Item[] = Array.from({ length: 12 }, (_, i) => ({
    id: `it${i}`, imagePath: null, contentHash: `h${i}`, title: `Item ${i}`, category: i % 2 ? 'Shirts' : 'Jeans',
    colour: 'Blue', gender: 'Men', price: 10 + i, meta: {},
  }));
  await lb.store.putFeatures(items.map((it, i) => ({
    contentHash: it.contentHash!, backbone: lb.ctx.backboneName,
    vector: Float32Array.from({ length: 16 }, (_, d) => Math.sin(i * 0.7 + d) + (i % 2)),
    attributes: { colours: [{ name: 'blue', hex: '#2040a0', lab: [30, 10, -50], share: 1 }], histogram: [], foreground: 0.5 },
  })));
  await lb.store.upsertItems(items);
  await lb.close();

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOOKBOOK_')));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'lookbook.js'), 'serve', '-d', dataDir, '-p', '0', '--workers', '2'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving 12 items at (http:\/\/[^\s]+) .*with 2 worker processes/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening: ${out} ${err}`)));
  });

  const workers = new Map<string, number>();
  const similarFrom = new Set<string>();
  for (let i = 0; i < 30 && (workers.size < 2 || similarFrom.size < 2); i++) {
    const sim = await request(`${url}/api/items/it${i % 12}/similar?k=3`);
    assert.equal(sim.status, 200);
    assert.equal(sim.json.results.length, 3);
    assert.ok(!sim.json.results.some((r: { item: { id: string } }) => r.item.id === `it${i % 12}`), 'the query item is left out');
    similarFrom.add(String(sim.headers['x-lookbook-worker']));
    // An odd number of connections per round, so that both workers get both routes.
    if (i % 2) continue;    const m = await request(`${url}/metrics`);
    assert.equal(m.status, 200);
    assert.equal(String(m.json.process.worker), m.headers['x-lookbook-worker']);
    workers.set(String(m.headers['x-lookbook-worker']), m.json.process.pid);
  }
  assert.deepEqual([...workers.keys()].sort(), ['1', '2'], 'both workers answered /metrics');
  assert.deepEqual([...similarFrom].sort(), ['1', '2'], 'both workers answered similar-item requests');
  assert.notEqual(workers.get('1'), workers.get('2'));
  assert.notEqual(workers.get('1'), child.pid);

  const health = await request(`${url}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.json.items, 12);

  const job = await request(`${url}/api/jobs/train`, 'POST', JSON.stringify({ kind: 'style' }));
  assert.equal(job.status, 409);
  assert.equal(job.json.error.code, 'LB_ERR_CONFLICT');
  assert.match(job.json.error.message, /--workers 1/);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, err);
  for (const pid of workers.values()) assert.equal(alive(pid), false, `worker ${pid} stopped`);
});
