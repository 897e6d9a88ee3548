/**
 * Writer process for crash-consistency.test.ts: writes batches forever (items, then their features,
 * then events; every third batch it also rebuilds the ANN index) and prints `batch <n>` after each.
 * The test SIGKILLs it at an arbitrary point. Usage: node --import tsx crash-child.ts <dataDir>
 */
import { SqliteStore } from './sqlite-store.ts';

export const CRASH_BATCH = 200;
export const CRASH_DIM = 32;

/** Deterministic vector of an item, so the checker can recompute it. */
export function crashVector(b: number, j: number): Float32Array {
  return Float32Array.from({ length: CRASH_DIM }, (_, d) => Math.sin((b * CRASH_BATCH + j + 1) * (d + 1) * 0.37));
}

async function main(dataDir: string): Promise<void> {
  const s = new SqliteStore({ dataDir, annThreshold: 0, hnsw: { threads: 1 } });
  // Continue after the batches an earlier (killed) run committed.
  for (let b = Math.ceil((await s.countItems()) / CRASH_BATCH); ; b++) {
    const ids = Array.from({ length: CRASH_BATCH }, (_, j) => `c-${b}-${j}`);
    await s.upsertItems(
      ids.map((id, j) => ({
        id,
        imagePath: `/img/${id}.jpg`,
        contentHash: `h-${b}-${j}`,
        title: `T ${b}-${j}`,
        category: 'Shirts',
        colour: 'Blue',
        gender: 'Men',
        price: j,
        meta: { batch: String(b), j: String(j), pad: 'x'.repeat(200) },
      })),
    );
    await s.putFeatures(
      ids.map((_, j) => ({ contentHash: `h-${b}-${j}`, backbone: 'bb', vector: crashVector(b, j), attributes: { colours: [], histogram: [], foreground: 1 } })),
    );
    await s.addEvents(ids.map((id, j) => ({ userId: `u${j % 7}`, itemId: id, kind: 'view', value: null, timestamp: b * 1000 + j })));
    if (b % 3 === 2) await s.searchVectors('bb', crashVector(b, 0), 5);
    process.stdout.write(`batch ${b}\n`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main(process.argv[2]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
