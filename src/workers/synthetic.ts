/**
 * Test and benchmark helpers for the workers: a context over a PostgreSQL store without a CNN, a
 * deterministic embedding step (vector derived from the content hash) and tiny files to ingest.
 * Where the CNN isn't what is being tested, this keeps the tests to seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/index.ts';
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import { silentLogger } from '../logging/index.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import type { Item } from '../types.ts';
import type { EmbedBatch } from './ingest-worker.ts';

export const SYNTHETIC_DIM = 8;

export async function syntheticContext(url: string, backbone = 'synthetic-bb'): Promise<LookbookContext> {
  const store = await PostgresStore.open({ url, maxConnections: 2 });
  return {
    config: loadConfig({ storeUrl: url, dataDir: '.' }, { env: {} }),
    store,
    logger: silentLogger,
    backboneName: backbone,
    embedder: () => Promise.reject(new LookbookError('LB_ERR_BACKBONE', 'no CNN in this context')),
  };
}

/** A vector made from the first bytes of the content hash (same bytes → same vector). */
export function hashVector(hash: string): Float32Array {
  return Float32Array.from({ length: SYNTHETIC_DIM }, (_, i) => parseInt(hash.slice(i * 2, i * 2 + 2), 16) / 255 - 0.5);
}

/** Embeds by hash after `delayMs`; files whose bytes start with "BAD" fail like an undecodable image. */
export function syntheticEmbed(delayMs = 0, seen?: (hashes: string[]) => void): EmbedBatch {
  return async (jobs, ctx) => {
    seen?.(jobs.map((j) => j.contentHash));
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return new Map(
      jobs.map((j) => [
        j.contentHash,
        fs.readFileSync(j.path).subarray(0, 3).toString() === 'BAD'
          ? { error: 'LB_ERR_IMAGE_DECODE: not an image' }
          : { contentHash: j.contentHash, backbone: ctx.backboneName, vector: hashVector(j.contentHash), attributes: { colours: [], histogram: [], foreground: 1 } },
      ]),
    );
  };
}

/** n items with small distinct files; items with index ≡ 0 mod dupEvery share one file's bytes. */
export function syntheticCatalogue(dir: string, n: number, opts: { dupEvery?: number; bad?: number[] } = {}): Item[] {
  fs.mkdirSync(dir, { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const file = path.join(dir, `${i}.bin`);
    const dup = opts.dupEvery && i % opts.dupEvery === 0;
    fs.writeFileSync(file, opts.bad?.includes(i) ? `BAD ${i}` : dup ? 'shared bytes' : `image bytes ${i}`);
    return { id: `item-${String(i).padStart(4, '0')}`, imagePath: file, contentHash: null, title: null, category: i % 2 ? 'Shirts' : 'Shoes', colour: null, gender: null, price: i, meta: {} };
  });
}
