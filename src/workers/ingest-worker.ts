/**
 * Distributed ingest over the PostgreSQL store. `enqueueIngest` hashes the catalogue's images and queues one
 * job per distinct content hash that has no features yet (items whose bytes are already embedded are written
 * at once). Any number of `runIngestWorker` loops — threads, processes, machines — then claim disjoint
 * batches (FOR UPDATE SKIP LOCKED + a lease), embed, and write features + items before marking the jobs
 * done. A worker that dies loses nothing: its jobs are claimable again once the lease runs out, and work it
 * had already written is found by content hash and not embedded again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { LookbookContext } from '../context.ts';
import { extractAttributes } from '../attributes/index.ts';
import { embedMany } from '../embeddings/embedder.ts';
import { LookbookError, reasonOf } from '../errors.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import type { IngestJob } from '../store/postgres/jobs.ts';
import type { FeatureRecord, Item } from '../types.ts';

/** Embeds one claimed batch: content hash → features, or the reason it failed. */
export type EmbedBatch = (jobs: IngestJob[], ctx: LookbookContext) => Promise<Map<string, FeatureRecord | { error: string }>>;

export interface IngestWorkerOptions {
  /** Unique per worker (default host:pid:random). */
  workerId?: string;
  /** How long a claim holds before other workers may take it over (default 60 s; renewed while working). */
  leaseSeconds?: number;
  /** Jobs claimed at once (default 64). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Keep polling for new jobs instead of returning when the queue is drained (default false). */
  follow?: boolean;
  /** Claims per job before it is failed as poison (default 5). */
  maxAttempts?: number;
  /** Seconds between polls while waiting for other workers' leases or new jobs (default 1). */
  pollSeconds?: number;
  /** Embedding step (default: the context's CNN backbone via embedMany, plus colour/pattern attributes). */
  embedBatch?: EmbedBatch;
  /** Called after each batch is committed. */
  onBatch?: (e: { workerId: string; jobs: number; embedded: number; reused: number; failed: number }) => void;
}

export interface IngestWorkerReport {
  workerId: string;
  batches: number;
  /** Jobs this worker completed (done or failed). */
  jobs: number;
  embedded: number;
  /** Jobs whose features already existed (e.g. written by a worker that died before marking them done). */
  reused: number;
  failed: number;
  /** Jobs whose lease was lost before this worker finished them (another worker completes them). */
  lost: number;
  seconds: number;
}

export interface EnqueueReport {
  jobs: number;
  /** Items written at once because their bytes already had features. */
  reused: number;
  failed: { id: string; file: string | null; reason: string }[];
}

export function postgresStoreOf(ctx: LookbookContext): PostgresStore {
  if (!(ctx.store instanceof PostgresStore)) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'distributed ingest needs the PostgreSQL store (--store postgres://…)');
  }
  return ctx.store;
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Queues catalogue items for the workers. Items are catalogue rows with `imagePath` set (or null). */
export async function enqueueIngest(ctx: LookbookContext, items: Item[], opts: { requeue?: boolean } = {}): Promise<EnqueueReport> {
  const store = postgresStoreOf(ctx);
  const backbone = ctx.backboneName;
  const report: EnqueueReport = { jobs: 0, reused: 0, failed: [] };
  for (let start = 0; start < items.length; start += 512) {
    const slice = items.slice(start, start + 512);
    const direct: Item[] = [];
    const hashed: Item[] = [];
    for (const item of slice) {
      try {
        if (!item.imagePath) throw new Error('the item has no image');
        const buf = await fs.promises.readFile(item.imagePath);
        if (buf.length === 0) throw new Error('image file is empty');
        hashed.push({ ...item, contentHash: sha256(buf) });
      } catch (e) {
        report.failed.push({ id: item.id, file: item.imagePath, reason: reasonOf(e) });
        direct.push({ ...item, contentHash: null });
      }
    }
    const have = await store.hasFeatures([...new Set(hashed.map((i) => i.contentHash!))], backbone);
    const groups = new Map<string, Item[]>();
    for (const item of hashed) {
      if (have.has(item.contentHash!)) {
        direct.push(item);
        report.reused++;
      } else groups.set(item.contentHash!, [...(groups.get(item.contentHash!) ?? []), item]);
    }
    if (direct.length) await store.upsertItems(direct);
    report.jobs += await store.jobs.enqueue(
      [...groups].map(([contentHash, its]) => ({ backbone, contentHash, path: its[0].imagePath!, items: its })),
      opts,
    );
  }
  return report;
}

/** The default embedding step: the context's backbone through embedMany, plus readable attributes. */
export const embedWithBackbone: EmbedBatch = async (jobs, ctx) => {
  const embedder = await ctx.embedder();
  const out = new Map<string, FeatureRecord | { error: string }>();
  const source = jobs.map((j) => ({ key: j.contentHash, source: j.path }));
  for await (const r of embedMany(embedder, source, { maxPixels: ctx.config.maxPixels, maxBytes: ctx.config.maxImageBytes })) {
    if ('error' in r) out.set(r.key, { error: reasonOf(r.error) });
    else if (r.vector) out.set(r.key, { contentHash: r.key, backbone: ctx.backboneName, vector: r.vector, attributes: extractAttributes(r.prepared.raster) });
  }
  return out;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Claims, embeds and commits batches until the queue is drained (or forever with `follow`). */
export async function runIngestWorker(ctx: LookbookContext, opts: IngestWorkerOptions = {}): Promise<IngestWorkerReport> {
  const store = postgresStoreOf(ctx);
  const backbone = ctx.backboneName;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const batchSize = opts.batchSize ?? 64;
  const maxAttempts = opts.maxAttempts ?? 5;
  const pollMs = (opts.pollSeconds ?? 1) * 1000;
  const embedBatch = opts.embedBatch ?? embedWithBackbone;
  const t0 = performance.now();
  const rep: IngestWorkerReport = { workerId, batches: 0, jobs: 0, embedded: 0, reused: 0, failed: 0, lost: 0, seconds: 0 };

  while (!opts.signal?.aborted) {
    const claimed = await store.jobs.claim({ workerId, backbone, limit: batchSize, leaseSeconds, maxAttempts });
    if (claimed.length === 0) {
      await store.jobs.giveUp(backbone, maxAttempts);
      const c = await store.jobs.counts(backbone);
      if (c.pending === 0 && c.claimed === 0 && !opts.follow) break;
      // Other workers hold live leases (or we follow the queue): wait, then try again.
      const next = await store.jobs.nextExpiry(backbone);
      await sleep(Math.min(pollMs, next === null ? pollMs : next * 1000 + 50), opts.signal);
      continue;
    }
    const hashes = claimed.map((j) => j.contentHash);
    const heartbeat = setInterval(() => {
      store.jobs.renew(workerId, backbone, hashes, leaseSeconds).catch(() => undefined);
    }, (leaseSeconds * 1000) / 3);
    try {
      const have = await store.hasFeatures(hashes, backbone);
      const todo = claimed.filter((j) => !have.has(j.contentHash));
      const results = todo.length ? await embedBatch(todo, ctx) : new Map<string, FeatureRecord | { error: string }>();
      const features: FeatureRecord[] = [];
      const items: Item[] = [];
      const outcome: { contentHash: string; error?: string }[] = [];
      let embedded = 0;
      let failed = 0;
      for (const job of claimed) {
        const r = have.has(job.contentHash) ? 'reused' : (results.get(job.contentHash) ?? { error: 'the embedding step returned no result' });
        if (r !== 'reused' && 'error' in r) {
          failed++;
          outcome.push({ contentHash: job.contentHash, error: r.error });
          items.push(...job.items.map((it) => ({ ...it, contentHash: null })));
          continue;
        }
        if (r !== 'reused') {
          features.push(r);
          embedded++;
        }
        outcome.push({ contentHash: job.contentHash });
        items.push(...job.items.map((it) => ({ ...it, contentHash: job.contentHash })));
      }
      // Features first: if we die after this, the next claimer finds them by hash and skips the CNN.
      await store.putFeatures(features);
      await store.upsertItems(items);
      const finished = await store.jobs.finish(workerId, backbone, outcome);
      rep.batches++;
      rep.jobs += finished;
      rep.lost += claimed.length - finished;
      rep.embedded += embedded;
      rep.reused += claimed.length - todo.length;
      rep.failed += failed;
      opts.onBatch?.({ workerId, jobs: claimed.length, embedded, reused: claimed.length - todo.length, failed });
    } catch (e) {
      // Give the claims back so others need not wait for the lease; then report the error.
      await store.jobs.release(workerId, backbone, hashes).catch(() => undefined);
      throw e;
    } finally {
      clearInterval(heartbeat);
    }
  }
  rep.seconds = (performance.now() - t0) / 1000;
  return rep;
}
