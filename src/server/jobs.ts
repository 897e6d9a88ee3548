/**
 * In-process background jobs (ingest, training). Jobs of the same queue run one after another; the
 * HTTP server keeps answering meanwhile (SQLite WAL readers). Status and progress come from the
 * library's ProgressEvents. Finished jobs are kept in memory (the newest MAX_KEPT).
 */
import crypto from 'node:crypto';
import { reasonOf, isLookbookError } from '../errors.ts';
import type { Logger } from '../logging/index.ts';
import type { ProgressCallback, ProgressEvent } from '../logging/index.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  step?: string;
  task?: string;
  done?: number;
  total?: number;
  failed?: number;
  message?: string;
  /** 0..1 when a total is known. */
  fraction?: number;
}

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: JobProgress;
  warnings: string[];
  result?: unknown;
  error?: { code: string; message: string; subject?: string };
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export type JobRunner = (ctx: { onProgress: ProgressCallback; signal: AbortSignal }) => Promise<unknown>;

const MAX_KEPT = 200;
const MAX_WARNINGS = 50;

export class JobManager {
  readonly #jobs = new Map<string, Job>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #controllers = new Map<string, AbortController>();
  readonly #logger?: Logger;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Queues a job; `queue` names the serialisation lane (default: the kind). */
  submit(kind: string, params: Record<string, unknown>, run: JobRunner, queue = kind): Job {
    const job: Job = { id: crypto.randomUUID(), kind, state: 'queued', params, progress: {}, warnings: [], createdAt: Date.now() };
    this.#jobs.set(job.id, job);
    this.#trim();
    const controller = new AbortController();
    this.#controllers.set(job.id, controller);
    const prev = this.#queues.get(queue) ?? Promise.resolve();
    const next = prev.then(() => this.#run(job, run, controller.signal));
    this.#queues.set(queue, next);
    void next.finally(() => {
      if (this.#queues.get(queue) === next) this.#queues.delete(queue);
    });
    return job;
  }

  async #run(job: Job, run: JobRunner, signal: AbortSignal): Promise<void> {
    if (signal.aborted) {
      job.state = 'cancelled';
      job.finishedAt = Date.now();
      return;
    }
    job.state = 'running';
    job.startedAt = Date.now();
    const onProgress = (e: ProgressEvent) => applyProgress(job, e);
    try {
      job.result = await run({ onProgress, signal });
      job.state = signal.aborted ? 'cancelled' : 'succeeded';
    } catch (e) {
      job.state = signal.aborted ? 'cancelled' : 'failed';
      job.error = isLookbookError(e)
        ? { code: e.code, message: e.message, ...(e.subject ? { subject: e.subject } : {}) }
        : { code: 'LB_ERR_INTERNAL', message: reasonOf(e) };
      this.#logger?.warn(`job ${job.kind} ${job.id} failed: ${reasonOf(e)}`);
    } finally {
      job.finishedAt = Date.now();
      this.#controllers.delete(job.id);
    }
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  list(): Job[] {
    return [...this.#jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** True while any job is queued or running. */
  busy(): boolean {
    return [...this.#jobs.values()].some((j) => j.state === 'queued' || j.state === 'running');
  }

  /** Resolves when every queued and running job has finished. */
  async idle(): Promise<void> {
    while (this.#queues.size) await Promise.allSettled([...this.#queues.values()]);
  }

  /** Aborts every job and waits for the running ones to stop. */
  async close(): Promise<void> {
    for (const c of this.#controllers.values()) c.abort();
    await Promise.allSettled([...this.#queues.values()]);
  }

  #trim(): void {
    if (this.#jobs.size <= MAX_KEPT) return;
    for (const j of [...this.#jobs.values()].sort((a, b) => a.createdAt - b.createdAt)) {
      if (this.#jobs.size <= MAX_KEPT) break;
      if (j.state !== 'queued' && j.state !== 'running') this.#jobs.delete(j.id);
    }
  }
}

function applyProgress(job: Job, e: ProgressEvent): void {
  const p = job.progress;
  switch (e.status) {
    case 'step':
      p.step = e.step;
      p.message = e.message;
      break;
    case 'start':
      p.task = e.task;
      p.total = e.total;
      p.done = 0;
      break;
    case 'progress':
    case 'done':
      p.task = e.task;
      p.done = e.done;
      p.total = e.total;
      if (e.failed !== undefined) p.failed = e.failed;
      if (e.status === 'progress' && e.message) p.message = e.message;
      break;
    case 'warn':
      if (job.warnings.length < MAX_WARNINGS) job.warnings.push(e.subject ? `${e.subject}: ${e.message}` : e.message);
      break;
  }
  if (p.total && p.done !== undefined) p.fraction = Math.min(1, p.done / p.total);
}
