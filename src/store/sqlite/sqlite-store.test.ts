import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isLookbookError } from '../../errors.ts';
import { clusteredVectors } from '../../index/synthetic.ts';
import { makeItem, runStoreConformance } from '../common.case.test.ts';
import { openStore } from '../index.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteStore } from './sqlite-store.ts';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lb-store-'));
const hasCode = (code: string) => (e: unknown) => isLookbookError(e) && e.code === code;

runStoreConformance(
  'sqlite',
  async () => new SqliteStore({ dataDir: tmpDir(), annThreshold: 1000, hnsw: { threads: 1 } }),
  async (s) => {
    await s.close();
    fs.rmSync((s as SqliteStore).dataDir, { recursive: true, force: true });
  },
);

async function seed(s: SqliteStore, n: number, dim = 16, seedNo = 1): Promise<Float32Array> {
  const { vectors } = clusteredVectors({ n, dim, seed: seedNo });
  await s.upsertItems(Array.from({ length: n }, (_, i) => makeItem(i)));
  await s.putFeatures(
    Array.from({ length: n }, (_, i) => ({
      contentHash: `hash-${i}`,
      backbone: 'bb',
      vector: vectors.slice(i * dim, (i + 1) * dim),
      attributes: { colours: [], histogram: [], foreground: 1 },
    })),
  );
  return vectors;
}

describe('SqliteStore specifics', () => {
  it('creates <dataDir>/lookbook.db in WAL mode with foreign keys and a schema_migrations row', async () => {
    const dir = tmpDir();
    const s = new SqliteStore({ dataDir: dir });
    assert.ok(fs.existsSync(path.join(dir, 'lookbook.db')));
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(s.db.pragma('synchronous', { simple: true }), 1);
    assert.equal(s.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get(), SCHEMA_VERSION);
    await s.close();
    const again = new SqliteStore({ dataDir: dir }); // re-opening applies nothing twice
    assert.equal(again.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get(), SCHEMA_VERSION);
    await again.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a database with a newer schema (LB_ERR_STORE_SCHEMA)', async () => {
    const dir = tmpDir();
    await (await openStore({ dataDir: dir })).close();
    const db = new Database(path.join(dir, 'lookbook.db'));
    db.prepare('INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', Date.now());
    db.close();
    assert.throws(() => new SqliteStore({ dataDir: dir }), hasCode('LB_ERR_STORE_SCHEMA'));
    fs.rmSync(dir, { recursive: true });
  });

  it('openStore: dataDir, sqlite: URL, unknown scheme (postgres: is tested in src/store/postgres/)', async () => {
    const dir = tmpDir();
    const a = await openStore({ url: `sqlite://${dir}` });
    assert.equal(a.kind, 'sqlite');
    await a.upsertItems([makeItem(1)]);
    await a.close();
    const b = await openStore({ url: `sqlite:${dir}` });
    assert.equal(await b.countItems(), 1);
    await b.close();
    await assert.rejects(openStore({ url: 'mysql://u:secret@x/y' }), (e) => hasCode('LB_ERR_INVALID_ARGUMENT')(e) && !/secret/.test((e as Error).message));
    fs.rmSync(dir, { recursive: true });
  });

  it('persists the HNSW index with its stamp, reloads it when fresh, updates it when stale, rebuilds when corrupt', async () => {
    const dir = tmpDir();
    const opts = { dataDir: dir, annThreshold: 100, hnsw: { threads: 1 } };
    let s = new SqliteStore(opts);
    const vectors = await seed(s, 300);
    const q = vectors.slice(7 * 16, 8 * 16);
    assert.equal((await s.searchVectors('bb', q, 1))[0].id, 'item-00007');
    const file = path.join(dir, 'index', 'bb.usearch');
    assert.ok(fs.existsSync(file));
    assert.equal(s.spaces.indexState('bb')?.stamp, s.spaces.stamp('bb'));
    await s.close();

    s = new SqliteStore(opts);
    assert.deepEqual(await s.warmIndex('bb'), { size: 300, source: 'loaded' });
    await s.upsertItems([makeItem(5, { title: 'metadata only' })]); // same hash: index stays valid
    assert.deepEqual(await s.warmIndex('bb'), { size: 300, source: 'loaded' });
    await s.close();

    // Another writer (raw SQL, stamp bumped by a store write) makes the file stale.
    s = new SqliteStore(opts);
    await s.deleteItems(['item-00007']);
    await s.close();
    s = new SqliteStore(opts);
    assert.deepEqual(await s.warmIndex('bb'), { size: 299, source: 'updated' }); // saved file + 1 removal
    assert.notEqual((await s.searchVectors('bb', q, 1))[0].id, 'item-00007');
    assert.equal(s.spaces.indexState('bb')?.stamp, s.spaces.stamp('bb'));
    await s.close();

    fs.writeFileSync(file, Buffer.alloc(1000, 7)); // corrupt the file
    s = new SqliteStore(opts);
    assert.deepEqual(await s.warmIndex('bb'), { size: 299, source: 'built' });
    assert.equal((await s.searchVectors('bb', vectors.slice(9 * 16, 10 * 16), 1))[0].id, 'item-00009');
    await s.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps the in-memory index up to date by key: new item, changed vector, removal; a large change rebuilds', async () => {
    const dir = tmpDir();
    const s = new SqliteStore({ dataDir: dir, annThreshold: 100, hnsw: { threads: 1 } });
    const vectors = await seed(s, 400);
    assert.equal((await s.warmIndex('bb')).source, 'built');
    const fresh = clusteredVectors({ n: 2, dim: 16, seed: 99 }).vectors;
    // A new item with a vector unlike the others.
    await s.upsertItems([makeItem(500, { contentHash: 'hash-new' })]);
    await s.putFeatures([{ contentHash: 'hash-new', backbone: 'bb', vector: fresh.slice(0, 16), attributes: { colours: [], histogram: [], foreground: 1 } }]);
    assert.deepEqual(await s.warmIndex('bb'), { size: 401, source: 'updated' });
    assert.equal((await s.searchVectors('bb', fresh.slice(0, 16), 1))[0].id, 'item-00500');
    // Item 9 gets another image: its old vector leaves the index, the new one is found.
    await s.upsertItems([makeItem(9, { contentHash: 'hash-9b' })]);
    await s.putFeatures([{ contentHash: 'hash-9b', backbone: 'bb', vector: fresh.slice(16, 32), attributes: { colours: [], histogram: [], foreground: 1 } }]);
    assert.deepEqual(await s.warmIndex('bb'), { size: 401, source: 'updated' });
    assert.equal((await s.searchVectors('bb', fresh.slice(16, 32), 1))[0].id, 'item-00009');
    assert.notEqual((await s.searchVectors('bb', vectors.slice(9 * 16, 10 * 16), 1))[0].id, 'item-00009');
    // ANN and exact search agree after the updates.
    for (const i of [3, 50, 123]) {
      const q = vectors.slice(i * 16, (i + 1) * 16);
      assert.deepEqual((await s.searchVectors('bb', q, 5)).map((h) => h.id), (await s.searchVectors('bb', q, 5, { exact: true })).map((h) => h.id));
    }
    // A reopened store loads the updated file as it is.
    await s.close();
    const t = new SqliteStore({ dataDir: dir, annThreshold: 100, hnsw: { threads: 1 } });
    assert.deepEqual(await t.warmIndex('bb'), { size: 401, source: 'loaded' });
    // Removing more than a quarter of the rows rebuilds.
    await t.deleteItems(Array.from({ length: 150 }, (_, i) => makeItem(i + 200).id));
    assert.deepEqual(await t.warmIndex('bb'), { size: 251, source: 'built' });
    await t.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('sees writes made by another connection (stamp check on every search)', async () => {
    const dir = tmpDir();
    const a = new SqliteStore({ dataDir: dir, annThreshold: 0, hnsw: { threads: 1 } });
    const b = new SqliteStore({ dataDir: dir, annThreshold: 0, hnsw: { threads: 1 } });
    const vectors = await seed(a, 50);
    const q = vectors.slice(3 * 16, 4 * 16);
    assert.equal((await b.searchVectors('bb', q, 1))[0].id, 'item-00003');
    await a.deleteItems(['item-00003']);
    assert.notEqual((await b.searchVectors('bb', q, 1))[0].id, 'item-00003');
    await a.close();
    await b.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('a write that fails midway leaves nothing behind (transaction)', async () => {
    const dir = tmpDir();
    const s = new SqliteStore({ dataDir: dir });
    await s.upsertItems([makeItem(1)]);
    await assert.rejects(s.putItemVectors('sp', ['item-00001', 'missing'], new Float32Array(4), 2), hasCode('LB_ERR_NOT_FOUND'));
    assert.equal((await s.getItemVectors('sp', ['item-00001'])).size, 0);
    await s.close();
    fs.rmSync(dir, { recursive: true });
  });
});
