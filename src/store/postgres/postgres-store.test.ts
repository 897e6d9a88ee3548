/**
 * The PostgreSQL store against a real PostgreSQL + pgvector (PGlite over the wire protocol, started here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isLookbookError } from '../../errors.ts';
import { startPgliteServer, type PgliteServer } from '../../testing/pglite-server.ts';
import { makeItem, runStoreConformance } from '../common.case.test.ts';
import { openStore } from '../index.ts';
import { PostgresStore } from './postgres-store.ts';
import { PG_SCHEMA_VERSION } from './schema.ts';
import { filterToPg, Params, vectorFromPg, vectorToPg } from './sql.ts';

const hasCode = (code: string) => (e: unknown) => isLookbookError(e) && e.code === code;

let server: PgliteServer | undefined;
runStoreConformance(
  'postgres (PGlite + pgvector)',
  async () => {
    server = await startPgliteServer();
    return PostgresStore.open({ url: server.url });
  },
  async (s) => {
    await s.close();
    await server?.stop();
  },
);

describe('PostgresStore specifics', () => {
  let srv: PgliteServer;
  before(async () => {
    srv = await startPgliteServer();
  });
  after(async () => {
    await srv.stop();
  });

  it('migrates once, reopens idempotently and refuses a newer schema', async () => {
    const a = await PostgresStore.open({ url: srv.url });
    await a.upsertItems([makeItem(1)]);
    await a.close();
    const b = await PostgresStore.open({ url: srv.url });
    assert.equal(await b.countItems(), 1);
    const versions = (await b.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    assert.deepEqual(versions, Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    await b.pool.query("INSERT INTO schema_migrations(version, name) VALUES (999, 'from the future')");
    await b.close();
    await assert.rejects(PostgresStore.open({ url: srv.url }), hasCode('LB_ERR_STORE_SCHEMA'));
    const c = new pg.Client({ connectionString: srv.url });
    await c.connect();
    await c.query('DELETE FROM schema_migrations WHERE version = 999');
    await c.end();
  });

  it('openStore chooses the PostgreSQL store for postgres:// URLs', async () => {
    const s = await openStore({ url: srv.url });
    try {
      assert.equal(s.kind, 'postgres');
      assert.equal(await s.countItems(), 1);
    } finally {
      await s.close();
    }
    // Lookbook's tuning parameters in the URL reach the store, not the driver.
    const t = (await openStore({ url: `${srv.url}${srv.url.includes('?') ? '&' : '?'}ef_search=37` })) as PostgresStore;
    try {
      assert.equal((await t.pool.query('SHOW hnsw.ef_search')).rows[0]['hnsw.ef_search'], '37');
    } finally {
      await t.close();
    }
  });

  it('ANN queries use the HNSW index and filters are SQL (EXPLAIN)', async () => {
    const s = await PostgresStore.open({ url: srv.url });
    try {
      await s.upsertItems(Array.from({ length: 50 }, (_, i) => makeItem(i)));
      await s.putFeatures(Array.from({ length: 50 }, (_, i) => ({
        contentHash: `hash-${i}`,
        backbone: 'explain-bb',
        vector: Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 7 + j)),
        attributes: { colours: [], histogram: [], foreground: 1 },
      })));
      const info = (await s.pool.query("SELECT dim, index_name FROM vector_spaces WHERE space = 'explain-bb'")).rows[0];
      assert.equal(info.dim, 8);
      assert.match(info.index_name, /^lb_hnsw_/);
      const c = await s.pool.connect();
      try {
        await c.query('SET enable_seqscan = off'); // tiny table: make the planner show the index path
        const plan = (await c.query(
          `EXPLAIN SELECT i.id FROM features f JOIN items i ON i.content_hash = f.content_hash
           WHERE f.backbone = 'explain-bb' AND lower(i.category) = 'shirts' ORDER BY (f.vector::vector(8)) <=> $1::vector(8) LIMIT 5`,
          [vectorToPg(new Float32Array(8).fill(1))],
        )).rows.map((r) => r['QUERY PLAN']).join('\n');
        await c.query('RESET enable_seqscan');
        assert.match(plan, new RegExp(info.index_name));
      } finally {
        c.release();
      }
    } finally {
      await s.close();
    }
  });

  it('SQL helpers: filter clauses are parameterised, vectors round-trip the binary format', () => {
    const p = new Params();
    const sql = filterToPg({ category: ['A', 'b'], meta: { "x'; DROP TABLE items; --": 'V' }, price: { min: 1 }, excludeIds: ['i1'] }, p);
    assert.ok(!sql.includes('DROP'));
    assert.deepEqual(p.values, [['a', 'b'], 1, "x'; DROP TABLE items; --", 'v', ['i1']]);
    const v = Float32Array.from([0.5, -1.25, 3e-8]);
    assert.deepEqual(Array.from(vectorFromPg(vectorToPg(v))), Array.from(v));
    assert.deepEqual(Array.from(vectorFromPg(vectorToPg(v).toString('base64'))), Array.from(v));
  });
});
