/**
 * Conformance suite every VectorIndex implementation runs (see exact/ and hnsw/ tests).
 * This file only exports the suite; it registers no tests by itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, after } from 'node:test';
import { isLookbookError } from '../errors.ts';
import { ExactIndex } from './exact/exact-index.ts';
import { clusteredVectors, recallAtK } from './synthetic.ts';
import type { IndexMetric, VectorIndex } from './vector-index.ts';

export interface IndexFactory {
  make(dim: number, metric: IndexMetric): VectorIndex;
  load(file: string): VectorIndex;
  /** Minimum recall@10 against the exact index on clustered data (1 for exact). */
  minRecall: number;
}

const DIM = 32;
const N = 600;

function row(v: Float32Array, i: number, dim = DIM): Float32Array {
  return v.slice(i * dim, (i + 1) * dim);
}

export function runIndexConformance(name: string, f: IndexFactory): void {
  describe(`VectorIndex conformance: ${name}`, () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-index-'));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const { vectors } = clusteredVectors({ n: N, dim: DIM, clusters: 20, seed: 7 });
    const keys = Array.from({ length: N }, (_, i) => BigInt(i * 3 + 1));

    for (const metric of ['cos', 'ip'] as const) {
      it(`top-1 of a stored vector is itself, results sorted by score (${metric})`, () => {
        const idx = f.make(DIM, metric);
        idx.add(keys, vectors);
        assert.equal(idx.size(), N);
        for (let i = 0; i < N; i += 37) {
          const r = idx.search(row(vectors, i), 10);
          assert.equal(r.keys[0], keys[i]);
          assert.ok(Math.abs(r.scores[0] - 1) < 1e-3, `self score ${r.scores[0]}`);
          assert.equal(r.keys.length, 10);
          for (let j = 1; j < r.scores.length; j++) assert.ok(r.scores[j - 1] >= r.scores[j] - 1e-6);
        }
      });
    }

    it('accepts number keys and returns bigint keys; k larger than size returns everything', () => {
      const idx = f.make(DIM, 'cos');
      idx.add([5, 9, 11], vectors.slice(0, 3 * DIM));
      const r = idx.search(row(vectors, 1), 10);
      assert.deepEqual([...r.keys].sort(), [5n, 9n, 11n].sort());
      assert.equal(r.keys[0], 9n);
      assert.ok(idx.has(11) && !idx.has(12));
    });

    it('rejects a dimension mismatch with LB_ERR_DIMENSION before any native call', () => {
      const idx = f.make(DIM, 'cos');
      idx.add([1n], row(vectors, 0));
      assert.throws(() => idx.search(new Float32Array(DIM + 1), 3), (e) => isLookbookError(e) && e.code === 'LB_ERR_DIMENSION');
      assert.throws(() => idx.add([2n], new Float32Array(DIM - 1)), (e) => isLookbookError(e) && e.code === 'LB_ERR_DIMENSION');
      assert.throws(() => idx.add([2n, 3n], row(vectors, 1)), (e) => isLookbookError(e) && e.code === 'LB_ERR_DIMENSION');
      assert.throws(() => idx.add([-1], row(vectors, 1)), (e) => isLookbookError(e) && e.code === 'LB_ERR_INVALID_ARGUMENT');
      assert.throws(() => idx.add([1n], row(vectors, 1)), (e) => isLookbookError(e) && e.code === 'LB_ERR_CONFLICT');
      assert.throws(() => idx.search(row(vectors, 0), 0), (e) => isLookbookError(e) && e.code === 'LB_ERR_INVALID_ARGUMENT');
      assert.equal(idx.size(), 1);
    });

    it('remove drops keys from results', () => {
      const idx = f.make(DIM, 'cos');
      idx.add(keys, vectors);
      const gone = keys.filter((_, i) => i % 2 === 0);
      assert.equal(idx.remove([...gone, 999_999n]), gone.length);
      assert.equal(idx.size(), N - gone.length);
      const goneSet = new Set(gone);
      for (let i = 0; i < N; i += 29) {
        const r = idx.search(row(vectors, i), 5);
        for (const k of r.keys) assert.ok(!goneSet.has(k), `removed key ${k} returned`);
        if (i % 2 === 1) assert.equal(r.keys[0], keys[i]);
      }
    });

    it(`recall@10 against exact ≥ ${f.minRecall}`, () => {
      const idx = f.make(DIM, 'cos');
      const ref = new ExactIndex({ dim: DIM });
      idx.add(keys, vectors);
      ref.add(keys, vectors);
      const q = clusteredVectors({ n: 50, dim: DIM, clusters: 20, seed: 7 }).vectors; // same centres, new noise
      const approx: bigint[][] = [];
      const exact: bigint[][] = [];
      for (let i = 0; i < 50; i++) {
        approx.push(idx.search(row(q, i), 10).keys);
        exact.push(ref.search(row(q, i), 10).keys);
      }
      const recall = recallAtK(approx, exact, 10);
      assert.ok(recall >= f.minRecall, `recall@10 ${recall}`);
    });

    it('searchBatch matches single searches', () => {
      const idx = f.make(DIM, 'cos');
      idx.add(keys, vectors);
      if (!idx.searchBatch) return;
      const qs = vectors.slice(0, 4 * DIM);
      const batch = idx.searchBatch(qs, 5);
      assert.equal(batch.length, 4);
      batch.forEach((r, i) => assert.deepEqual(r.keys, idx.search(row(qs, i), 5).keys));
    });

    it('save/load round-trips (atomic: no temp file left)', () => {
      const idx = f.make(DIM, 'cos');
      idx.add(keys, vectors);
      idx.remove([keys[3]]);
      const file = path.join(tmp, `${name}.idx`);
      idx.save(file);
      idx.save(file); // overwrite in place
      assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith(`${name}.idx`)), [`${name}.idx`]);
      const back = f.load(file);
      assert.equal(back.dim, DIM);
      assert.equal(back.size(), N - 1);
      for (let i = 0; i < N; i += 41) {
        const a = idx.search(row(vectors, i), 10);
        const b = back.search(row(vectors, i), 10);
        assert.deepEqual(b.keys, a.keys);
        assert.ok(b.scores.every((s, j) => Math.abs(s - a.scores[j]) < 1e-5));
      }
      assert.ok(!back.has(keys[3]));
    });

    it('loading a corrupt or missing file throws a LookbookError', () => {
      const bad = path.join(tmp, `${name}.bad`);
      fs.writeFileSync(bad, 'not an index');
      assert.throws(() => f.load(bad), (e) => isLookbookError(e) && e.code === 'LB_ERR_STORE');
      assert.throws(() => f.load(path.join(tmp, 'missing.idx')), (e) => isLookbookError(e));
    });
  });
}
