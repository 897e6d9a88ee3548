/**
 * In-process parallel embedding: N worker threads, each with its own ONNX session (ORT intra-op threads
 * per worker configurable), decoding with sharp and embedding the chunks it is handed. Results come back
 * in completion order. On a 2-core machine one session with 2 intra-op threads already uses both cores:
 * see docs/scale-out.md for what 1 vs 2 workers measured.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackboneSpec } from '../embeddings/backbones.ts';
import { LookbookError } from '../errors.ts';
import type { FeatureRecord } from '../types.ts';
import type { EmbedBatch } from './ingest-worker.ts';
import type { ThreadInit, ThreadResult } from './embed-thread.ts';

export interface EmbedPoolOptions {
  /** Worker threads (default 2). */
  workers?: number;
  /** ORT intra-op threads per worker (default max(1, floor(2 / workers))). */
  threadsPerWorker?: number;
  backbone?: string | BackboneSpec;
  dataDir: string;
  /** Images per inference call inside a worker (default 32). */
  batchSize?: number;
  /** Images sent to a worker at once (default 2 × batchSize). */
  chunkSize?: number;
  maxPixels?: number;
  maxBytes?: number;
  decodeConcurrency?: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Id of the chunk in progress. */
  job?: number;
}

// Same extension as this file: .ts under tsx, .js once compiled.
const SELF_EXT = path.extname(fileURLToPath(import.meta.url));
const THREAD_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), `embed-thread${SELF_EXT}`);

/** Starts a thread; under tsx the thread registers the TypeScript loader itself before importing the .ts file. */
function startThread(workerData: ThreadInit): Worker {
  if (SELF_EXT !== '.ts') return new Worker(THREAD_FILE, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(THREAD_FILE).href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

export class EmbedPool {
  readonly dim: number;
  readonly chunkSize: number;
  readonly #slots: Slot[];
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: ThreadResult[]) => void; reject: (e: Error) => void }>();

  private constructor(slots: Slot[], dim: number, chunkSize: number) {
    this.#slots = slots;
    this.dim = dim;
    this.chunkSize = chunkSize;
    for (const s of slots) {
      s.worker.on('message', (m: { type: string; id: number; results?: ThreadResult[]; error?: string }) => {
        if (m.type !== 'done') return;
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        s.busy = false;
        s.job = undefined;
        if (m.error) p?.reject(new LookbookError('LB_ERR_BACKBONE', m.error));
        else p?.resolve(m.results ?? []);
      });
      // A thread that dies fails the chunk it was working on instead of leaving it pending forever.
      s.worker.on('exit', (code) => {
        if (s.job === undefined) return;
        const p = this.#pending.get(s.job);
        this.#pending.delete(s.job);
        p?.reject(new LookbookError('LB_ERR_BACKBONE', `embedding worker exited (code ${code})`));
      });
    }
  }

  static async create(opts: EmbedPoolOptions): Promise<EmbedPool> {
    const n = opts.workers ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `workers must be a positive integer, got ${n}`);
    const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(2 / n));
    const batchSize = opts.batchSize ?? 32;
    const init: ThreadInit = {
      embedder: { backbone: opts.backbone, dataDir: opts.dataDir, threads, batchSize },
      maxPixels: opts.maxPixels,
      maxBytes: opts.maxBytes,
      decodeConcurrency: opts.decodeConcurrency,
    };
    const slots: Slot[] = [];
    const dims = await Promise.all(
      Array.from({ length: n }, () => {
        const worker = startThread(init);
        slots.push({ worker, busy: false });
        return new Promise<number>((resolve, reject) => {
          const onMsg = (m: { type: string; dim?: number; error?: string }) => {
            if (m.type === 'ready') resolve(m.dim!);
            else if (m.type === 'error') reject(new LookbookError('LB_ERR_BACKBONE', m.error));
            else return;
            worker.off('message', onMsg);
          };
          worker.on('message', onMsg);
          worker.once('error', (e) => reject(new LookbookError('LB_ERR_BACKBONE', `embedding worker failed: ${e.message}`, { cause: e })));
        });
      }),
    ).catch(async (e) => {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw e;
    });
    return new EmbedPool(slots, dims[0], opts.chunkSize ?? 2 * batchSize);
  }

  get workers(): number {
    return this.#slots.length;
  }

  #run(slot: Slot, jobs: { key: string; source: string }[]): Promise<ThreadResult[]> {
    slot.busy = true;
    const id = this.#nextId++;
    slot.job = id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'embed', id, jobs });
    });
  }

  /** Embeds files across the workers; yields each chunk's results as it completes. */
  async *embed(jobs: { key: string; source: string }[]): AsyncGenerator<ThreadResult[]> {
    const chunks: { key: string; source: string }[][] = [];
    for (let i = 0; i < jobs.length; i += this.chunkSize) chunks.push(jobs.slice(i, i + this.chunkSize));
    const inflight = new Map<number, Promise<{ tag: number; r: ThreadResult[] }>>();
    let tag = 0;
    while (chunks.length || inflight.size) {
      for (const slot of this.#slots) {
        if (!slot.busy && chunks.length) {
          const t = tag++;
          inflight.set(t, this.#run(slot, chunks.shift()!).then((r) => ({ tag: t, r })));
        }
      }
      const { tag: done, r } = await Promise.race(inflight.values());
      inflight.delete(done);
      yield r;
    }
  }

  /** An EmbedBatch for runIngestWorker that spreads each claimed batch over the pool. */
  embedBatch(): EmbedBatch {
    return async (jobs, ctx) => {
      const out = new Map<string, FeatureRecord | { error: string }>();
      for await (const rs of this.embed(jobs.map((j) => ({ key: j.contentHash, source: j.path })))) {
        for (const r of rs) out.set(r.key, 'error' in r ? { error: r.error } : { contentHash: r.key, backbone: ctx.backboneName, vector: r.vector, attributes: r.attributes });
      }
      return out;
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
