/**
 * `lookbook ingest-worker`: distributed ingest over the PostgreSQL store.
 *   lookbook ingest-worker --store postgres://… --enqueue shop/products.csv --images shop/photos
 *   lookbook ingest-worker --store postgres://…            # run on as many machines/processes as you like
 */
import { Command } from 'commander';
import { parseMapping } from '../catalog/mapping.ts';
import { readCatalogue } from '../catalog/read.ts';
import { openFromCli, parseIntArg, parseNumber, printJson, withGlobals, type GlobalOptions } from '../cli/common.ts';
import { enqueueIngest, postgresStoreOf, runIngestWorker } from './ingest-worker.ts';

interface WorkerFlags extends GlobalOptions {
  enqueue?: string;
  images?: string;
  map?: string;
  requeue?: boolean;
  id?: string;
  lease: number;
  batch: number;
  follow?: boolean;
}

export function workerCommand(): Command {
  return withGlobals(new Command('ingest-worker'))
    .description('Distributed ingest (PostgreSQL store): queue a catalogue with --enqueue, then run workers that claim batches with a lease.')
    .option('--enqueue <metadata>', 'queue this catalogue (CSV/JSON) instead of working')
    .option('-i, --images <dir>', 'with --enqueue: folder the image paths are relative to')
    .option('-m, --map <mapping>', 'with --enqueue: column mapping, e.g. "id=sku,image=file"')
    .option('--requeue', 'with --enqueue: queue again jobs that are already done')
    .option('--id <workerId>', 'worker id (default host:pid:random)')
    .option('--lease <seconds>', 'claim lease; claims of a worker that stops renewing expire after this', parseNumber, 60)
    .option('--batch <n>', 'jobs claimed at once', parseIntArg, 64)
    .option('--follow', 'keep waiting for new jobs instead of exiting when the queue is empty')
    .addHelpText('after', '\nExample:\n  lookbook ingest-worker --store postgres://lookbook@db/lookbook --enqueue products.csv\n  lookbook ingest-worker --store postgres://lookbook@db/lookbook --batch 64 &\n')
    .action(async (o: WorkerFlags) => {
      const lb = await openFromCli(o);
      const ac = new AbortController();
      const onSig = () => ac.abort();
      process.once('SIGINT', onSig);
      process.once('SIGTERM', onSig);
      try {
        postgresStoreOf(lb.ctx);
        if (o.enqueue) {
          const cat = readCatalogue({ metadata: o.enqueue, imagesDir: o.images, mapping: parseMapping(o.map) });
          const r = await enqueueIngest(lb.ctx, cat.items, { requeue: o.requeue });
          if (o.json) printJson({ ...r, rowProblems: cat.problems });
          else process.stdout.write(`Queued ${r.jobs} images for ${lb.ctx.backboneName}; ${r.reused} items reused stored features; ${r.failed.length} unreadable, ${cat.problems.length} bad rows\n`);
          return;
        }
        const rep = await runIngestWorker(lb.ctx, {
          workerId: o.id,
          leaseSeconds: o.lease,
          batchSize: o.batch,
          follow: o.follow,
          signal: ac.signal,
          onBatch: (e) => {
            if (!o.quiet && !o.json) process.stderr.write(`[${e.workerId}] batch of ${e.jobs}: ${e.embedded} embedded, ${e.reused} reused, ${e.failed} failed\n`);
          },
        });
        if (o.json) printJson(rep);
        else process.stdout.write(`Worker ${rep.workerId}: ${rep.jobs} jobs in ${rep.batches} batches (${rep.embedded} embedded, ${rep.reused} reused, ${rep.failed} failed) in ${rep.seconds.toFixed(1)} s\n`);
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
        await lb.close();
      }
    });
}
