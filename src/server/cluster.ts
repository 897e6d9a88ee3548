/**
 * `lookbook serve --workers n`: n server processes (node:cluster) sharing one port, each with its own
 * Lookbook (SQLite in WAL mode lets the processes read concurrently; writes serialise on SQLite's lock).
 *
 * Start-up is sequential: worker 1 opens the store and loads the similarity index (building and
 * saving it when the saved file is missing or stale), then listens; the others start after it and
 * load the saved file instead of building it again. A worker that dies is replaced; SIGINT/SIGTERM
 * stop every worker gracefully (in-flight requests finish, stores close).
 *
 * Background jobs (ingest, training) keep their state in one process's memory, so with n > 1 the
 * job routes answer 409 LB_ERR_CONFLICT: run `lookbook ingest` / `lookbook train` beside the server.
 */
import cluster, { type Worker } from 'node:cluster';
import { LookbookError } from '../errors.ts';
import type { Lookbook } from '../lookbook.ts';
import { resolveSpace } from '../pipelines/spaces.ts';

/**
 * Environment of a forked worker: its number (1..n). Every worker listens on the same host and port
 * arguments; node:cluster hands them one shared socket (for port 0, the port the OS chose for the first).
 */
export const WORKER_ENV = 'LOOKBOOK_SERVE_WORKER';

export interface WorkerReady {
  type: 'lookbook:ready';
  worker: number;
  url: string;
  port: number;
  items: number;
}

const STOP_TIMEOUT_MS = 10_000;
const MAX_RESTARTS = 20;

export const jobsDisabledReason = (n: number) =>
  `background jobs need a single server process, and this server runs ${n} (lookbook serve --workers ${n}): ` +
  'run lookbook ingest / lookbook train beside it, or serve with --workers 1';

/** True in a process forked by runServeCluster. */
export function serveWorkerNumber(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const n = Number(process.env[WORKER_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Loads (or builds and saves) the ANN index of the space similar-item requests use by default. */
export async function warmSimilarIndex(lb: Lookbook): Promise<void> {
  const store = lb.store as { warmIndex?: (space: string) => Promise<unknown> };
  if (!store.warmIndex) return;
  const space = await resolveSpace(lb.ctx, 'auto');
  await store.warmIndex(space.name);
}

/**
 * Runs in a worker once its server listens: tells the primary, and stops gracefully on SIGINT/SIGTERM,
 * a shutdown message, or the primary going away. Resolves when it is time to close.
 */
export function workerLifecycle(ready: WorkerReady): Promise<void> {
  process.send?.(ready);
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('disconnect', stop);
    process.on('message', (m: { type?: string }) => {
      if (m?.type === 'lookbook:shutdown') stop();
    });
  });
}

/**
 * Primary process: forks `n` workers (re-running this CLI command with the worker environment),
 * prints one line when all listen, replaces workers that die, and stops them on SIGINT/SIGTERM.
 * Resolves once every worker has exited.
 */
export async function runServeCluster(n: number, print: (line: string) => void): Promise<void> {
  const live = new Map<number, Worker>();
  let stopping = false;
  let restarts = 0;

  const fork = (index: number): Promise<WorkerReady> =>
    new Promise((resolve, reject) => {
      const w = cluster.fork({ [WORKER_ENV]: String(index) });
      live.set(index, w);
      let ready = false;
      w.on('message', (m: WorkerReady) => {
        if (m?.type !== 'lookbook:ready') return;
        ready = true;
        resolve(m);
      });
      w.once('exit', (code, signal) => {
        if (live.get(index) === w) live.delete(index);
        if (!ready) return reject(new LookbookError('LB_ERR_INTERNAL', `server worker ${index} exited during start-up (${signal ?? `code ${code}`}); its error is printed above`));
        if (stopping) return;
        if (++restarts > MAX_RESTARTS) {
          print(`worker ${index} exited (${signal ?? `code ${code}`}); too many restarts, stopping`);
          void stopAll().then(() => (process.exitCode = 1));
          return;
        }
        print(`worker ${index} exited (${signal ?? `code ${code}`}); starting a new one`);
        setTimeout(() => {
          if (!stopping) fork(index).catch((e: Error) => print(e.message));
        }, 1000).unref();
      });
    });

  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const stopAll = async () => {
    if (stopping) return finished;
    stopping = true;
    const exits = [...live.values()].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
    for (const w of live.values()) {
      if (w.isConnected()) w.send({ type: 'lookbook:shutdown' });
    }
    const timer = setTimeout(() => {
      for (const w of live.values()) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(exits);
    clearTimeout(timer);
    done();
    return finished;
  };
  process.once('SIGINT', () => void stopAll());
  process.once('SIGTERM', () => void stopAll());

  try {
    const first = await fork(1);
    for (let i = 2; i <= n && !stopping; i++) await fork(i);
    if (!stopping) print(`Lookbook serving ${first.items} items at ${first.url} (web page), ${first.url}/docs (API) with ${n} worker processes (pid ${process.pid}). Ctrl-C to stop.`);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return finished;
}
