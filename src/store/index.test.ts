import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLookbookError } from '../errors.ts';
import { pgUrlOptions } from './index.ts';

test('pgUrlOptions takes Lookbook tuning parameters out of a postgres URL and keeps the others', () => {
  assert.deepEqual(pgUrlOptions('postgres://u:p@h:5432/db'), { url: 'postgres://u:p@h:5432/db' });
  assert.deepEqual(pgUrlOptions('postgres://h/db?sslmode=require&ef_search=800&ef_construction=128&hnsw_m=24&pool=8'), {
    url: 'postgres://h/db?sslmode=require',
    efSearch: 800,
    efConstruction: 128,
    m: 24,
    maxConnections: 8,
  });
  assert.deepEqual(pgUrlOptions('postgres://h/db?ef_search=40'), { url: 'postgres://h/db', efSearch: 40 });
  for (const bad of ['0', '-3', 'many', '1e3']) {
    assert.throws(
      () => pgUrlOptions(`postgres://h/db?ef_search=${bad}`),
      (e) => isLookbookError(e) && e.code === 'LB_ERR_INVALID_ARGUMENT' && /ef_search/.test(e.message),
    );
  }
});
