import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { isLookbookError } from '../../errors.ts';
import { runIndexConformance } from '../common.case.test.ts';
import { clusteredVectors } from '../synthetic.ts';
import { HnswIndex } from './hnsw-index.ts';

runIndexConformance('hnsw', {
  make: (dim, metric) => new HnswIndex({ dim, metric, threads: 1 }),
  load: (file) => HnswIndex.load(file),
  minRecall: 0.95,
});

it('view is read-only and searchable; load checks the expected dimension', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-hnsw-'));
  try {
    const { vectors } = clusteredVectors({ n: 100, dim: 16, seed: 3 });
    const idx = new HnswIndex({ dim: 16, threads: 1 });
    idx.add(Array.from({ length: 100 }, (_, i) => i), vectors);
    const file = path.join(dir, 'v.usearch');
    idx.save(file);
    const view = HnswIndex.view(file);
    assert.equal(view.size(), 100);
    assert.equal(view.search(vectors.slice(16, 32), 1).keys[0], 1n);
    assert.throws(() => view.add([1000], vectors.slice(0, 16)), (e) => isLookbookError(e) && e.code === 'LB_ERR_CONFLICT');
    assert.throws(() => view.remove([1]), (e) => isLookbookError(e) && e.code === 'LB_ERR_CONFLICT');
    assert.throws(() => HnswIndex.load(file, { dim: 17 }), (e) => isLookbookError(e) && e.code === 'LB_ERR_DIMENSION');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
