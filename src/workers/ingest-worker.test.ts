/**
 * Distributed ingest on a real PostgreSQL (PGlite over the wire): disjoint claims, full coverage, content-hash
 * dedupe, failures reported, and a SIGKILLed worker's claims completed by another after the lease expires.
 * The embedding step is synthetic (vector from the content hash): the CNN is not what is tested here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LookbookContext } from '../context.ts';
import { startPgliteServer, type PgliteServer } from '../testing/pglite-server.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { enqueueIngest, runIngestWorker } from './ingest-worker.ts';
import { hashVector, syntheticCatalogue, syntheticContext, syntheticEmbed } from './synthetic.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('distributed ingest workers', () => {
  let srv: PgliteServer;
  let tmp: string;
  const contexts: LookbookContext[] = [];
  const ctxFor = async (backbone: string) => {
    const c = await syntheticContext(srv.url, backbone);
    contexts.push(c);
    return c;
  };
  before(async () => {
    srv = await startPgliteServer();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-workers-'));
  });
  after(async () => {
    for (const c of contexts) await c.store.close();
    await srv.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('two concurrent workers claim disjoint batches and together cover every job once', async () => {
    const items = syntheticCatalogue(path.join(tmp, 'a'), 120, { dupEvery: 10, bad: [7] });
    const [a, b, admin] = [await ctxFor('bb-a'), await ctxFor('bb-a'), await ctxFor('bb-a')];
    const enq = await enqueueIngest(admin, items);
    // 12 items share one file's bytes: 120 - 12 + 1 distinct contents.
    assert.equal(enq.jobs, 109);
    assert.equal(enq.failed.length, 0);
    const seen = { a: [] as string[], b: [] as string[] };
    const [ra, rb] = await Promise.all([
      runIngestWorker(a, { workerId: 'A', batchSize: 8, leaseSeconds: 30, embedBatch: syntheticEmbed(5, (h) => seen.a.push(...h)) }),
      runIngestWorker(b, { workerId: 'B', batchSize: 8, leaseSeconds: 30, embedBatch: syntheticEmbed(5, (h) => seen.b.push(...h)) }),
    ]);
    assert.ok(seen.a.length > 0 && seen.b.length > 0, `both workers got work (A ${seen.a.length}, B ${seen.b.length})`);
    const overlap = seen.a.filter((h) => new Set(seen.b).has(h));
    assert.deepEqual(overlap, [], 'no job was embedded by both workers');
    assert.equal(new Set([...seen.a, ...seen.b]).size, 109);
    assert.equal(seen.a.length + seen.b.length, 109, 'no job was embedded twice');
    assert.equal(ra.jobs + rb.jobs, 109);
    assert.equal(ra.failed + rb.failed, 1);

    const store = admin.store as PostgresStore;
    assert.deepEqual(await store.jobs.counts('bb-a'), { pending: 0, claimed: 0, expired: 0, done: 108, failed: 1 });
    assert.match((await store.jobs.failures('bb-a'))[0].error, /not an image/);
    const hashes = await store.itemHashes();
    assert.equal(hashes.size, 120);
    assert.equal(hashes.get('item-0007'), null, 'the undecodable item is stored without a content hash');
    const withHash = [...hashes.values()].filter((h) => h !== null) as string[];
    assert.equal(withHash.length, 119);
    assert.equal((await store.hasFeatures(withHash, 'bb-a')).size, 108);
    const f = await store.itemFeatures(['item-0010', 'item-0020'], 'bb-a');
    assert.equal(f.get('item-0010')?.contentHash, f.get('item-0020')?.contentHash, 'duplicates share one embedding');
    // Vectors are searchable: an item's own vector finds it.
    const probe = (await store.getItem('item-0033'))!.contentHash!;
    assert.equal((await store.searchVectors('bb-a', hashVector(probe), 1, { exact: true }))[0].id, 'item-0033');

    // Re-enqueueing the same catalogue queues only the failed image again: every other hash has features.
    const again = await enqueueIngest(admin, items);
    assert.equal(again.jobs, 1);
    assert.equal(again.reused, 119);
  });

  it('a worker SIGKILLed mid-batch loses nothing: another completes its claims after the lease expires', async () => {
    const items = syntheticCatalogue(path.join(tmp, 'b'), 40);
    const [survivor, admin] = [await ctxFor('synthetic-bb'), await ctxFor('synthetic-bb')];
    assert.equal((await enqueueIngest(admin, items)).jobs, 40);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'kill-child.ts'), srv.url, '2', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const claimed = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        const m = /claimed (\S+)\n/.exec(out);
        if (m) resolve(m[1].split(','));
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    assert.equal(claimed.length, 10);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const store = admin.store as PostgresStore;
    const mid = await store.jobs.counts('synthetic-bb');
    assert.equal(mid.claimed, 10, 'the dead worker still holds its claims');
    const seen: string[] = [];
    const rep = await runIngestWorker(survivor, { workerId: 'survivor', batchSize: 16, leaseSeconds: 30, pollSeconds: 0.25, embedBatch: syntheticEmbed(0, (h) => seen.push(...h)) });
    assert.equal(rep.jobs, 40);
    assert.ok(claimed.every((h) => seen.includes(h)), "the dead worker's jobs were redone");
    assert.deepEqual(await store.jobs.counts('synthetic-bb'), { pending: 0, claimed: 0, expired: 0, done: 40, failed: 0 });
    const hashes = [...(await store.itemHashes()).entries()].filter(([id]) => items.some((i) => i.id === id));
    assert.equal(hashes.length, 40);
    assert.equal((await store.hasFeatures(hashes.map(([, h]) => h!), 'synthetic-bb')).size, 40);
  });

  it('features already written by a dead worker are reused, not embedded again', async () => {
    const items = syntheticCatalogue(path.join(tmp, 'c'), 6);
    const [w, admin] = [await ctxFor('bb-c'), await ctxFor('bb-c')];
    await enqueueIngest(admin, items);
    const store = admin.store as PostgresStore;
    // Simulate a worker that claimed, wrote features and died before marking its jobs done.
    const jobs = await store.jobs.claim({ workerId: 'ghost', backbone: 'bb-c', limit: 3, leaseSeconds: 0.2 });
    await store.putFeatures(jobs.map((j) => ({ contentHash: j.contentHash, backbone: 'bb-c', vector: hashVector(j.contentHash), attributes: { colours: [], histogram: [], foreground: 1 } })));
    const seen: string[] = [];
    const rep = await runIngestWorker(w, { workerId: 'W', leaseSeconds: 10, pollSeconds: 0.1, embedBatch: syntheticEmbed(0, (h) => seen.push(...h)) });
    assert.equal(rep.jobs, 6);
    assert.equal(rep.reused, 3);
    assert.equal(seen.length, 3);
    assert.ok(jobs.every((j) => !seen.includes(j.contentHash)));
    assert.equal((await store.jobs.counts('bb-c')).done, 6);
  });
});
