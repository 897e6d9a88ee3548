/**
 * Child process for the worker crash test: claims one batch, prints "claimed <hashes>" and then hangs in
 * the embedding step until it is killed (SIGKILL), leaving its claims behind.
 * Usage: node --import tsx src/workers/kill-child.ts <url> <leaseSeconds> <batchSize>
 */
import { runIngestWorker } from './ingest-worker.ts';
import { syntheticContext } from './synthetic.ts';

const [url, lease, batch] = process.argv.slice(2);
const ctx = await syntheticContext(url);
await runIngestWorker(ctx, {
  workerId: `doomed-${process.pid}`,
  leaseSeconds: Number(lease),
  batchSize: Number(batch),
  embedBatch: async (jobs) => {
    process.stdout.write(`claimed ${jobs.map((j) => j.contentHash).join(',')}\n`);
    await new Promise(() => setInterval(() => undefined, 1000)); // hang until killed
    return new Map();
  },
});
