/**
 * Crash consistency: SIGKILL a writer process in the middle of a long run of write transactions,
 * reopen the store, check integrity, completeness of every batch and that a stale index is brought up to date (updated by key or rebuilt).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { CRASH_BATCH, crashVector } from './crash-child.ts';
import { SqliteStore } from './sqlite-store.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.ts');

/** Runs the child until it has reported `batches` commits plus a varying extra delay, then SIGKILLs it. */
function runAndKill(dataDir: string, batches: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = -1;
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => {
      for (const m of String(d).matchAll(/batch (\d+)/g)) seen = Number(m[1]);
      if (!killed && seen + 1 >= batches) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`child exited early (${code}): ${stderr}`));
    });
  });
}

it('SIGKILL mid-write: the store reopens intact, batches are all-or-nothing, the stale index is brought up to date', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-crash-'));
  try {
    let lastReported = -1;
    for (const [batches, extra] of [[4, 3], [3, 17], [3, 41]] as const) {
      lastReported = await runAndKill(dir, lastReported + 1 + batches, extra);
    }
    const s = new SqliteStore({ dataDir: dir, annThreshold: 0, hnsw: { threads: 1 } });
    try {
      assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(s.db.pragma('foreign_key_check'), []);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'index')).filter((n) => n.includes('.tmp-')), [], 'temp files removed on open');

      // Items: every batch is complete (100%) and every row holds exactly what was written.
      const items = await s.listItems();
      const perBatch = new Map<number, number>();
      for (const it of items) {
        const [, b, j] = it.id.split('-').map(Number);
        assert.equal(it.title, `T ${b}-${j}`);
        assert.equal(it.contentHash, `h-${b}-${j}`);
        assert.equal(it.price, j);
        assert.deepEqual(it.meta, { batch: String(b), j: String(j), pad: 'x'.repeat(200) });
        perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
      }
      for (const [b, n] of perBatch) assert.equal(n, CRASH_BATCH, `batch ${b} has ${n} items`);
      assert.ok(perBatch.size >= lastReported + 1, `${perBatch.size} batches, child reported ${lastReported + 1}`);

      // Features: each batch's features are all there or all missing, and intact.
      const hashes = [...(await s.itemHashes()).values()] as string[];
      const have = await s.hasFeatures(hashes, 'bb');
      for (const b of perBatch.keys()) {
        const n = hashes.filter((h) => h.startsWith(`h-${b}-`) && have.has(h)).length;
        assert.ok(n === 0 || n === CRASH_BATCH, `batch ${b} has ${n} feature rows`);
      }
      const f = await s.getFeatures('h-0-5', 'bb');
      assert.deepEqual(Array.from(f!.vector), Array.from(crashVector(0, 5)));

      // Index: stale or not, the next search leaves the file stamped with the current store state.
      const before = s.spaces.indexState('bb')?.stamp;
      const stale = before !== s.spaces.stamp('bb');
      const warm = await s.warmIndex('bb');
      assert.equal(warm.size, have.size);
      if (stale) assert.ok(warm.source === 'built' || warm.source === 'updated', `stale index came back ${warm.source}`);
      assert.equal(s.spaces.indexState('bb')?.stamp, s.spaces.stamp('bb'));
      const lastB = Math.max(...[...perBatch.keys()].filter((b) => have.has(`h-${b}-0`)));
      const top = await s.searchVectors('bb', crashVector(lastB, 3), 1);
      assert.equal(top[0].id, `c-${lastB}-3`);
      console.log(`# crash test: ${perBatch.size} batches survived, child reported ${lastReported + 1}, index was ${stale ? `stale → ${warm.source}` : 'fresh'}`);
    } finally {
      await s.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
