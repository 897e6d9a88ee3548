/**
 * The only module that imports onnxruntime-node. Everything that runs an ONNX model goes through
 * OnnxSession: create (CPU, configurable intra-op threads), run a batch, dispose.
 *
 * onnxruntime-node's `run` blocks the JS thread for the whole batch. With `worker: true` the session
 * lives in a worker thread (this same file, started as a worker), so the main thread stays free to
 * drive image decoding while a batch is inferred.
 */
import * as ort from 'onnxruntime-node';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LookbookError } from '../errors.ts';

export interface OnnxSessionOptions {
  /** Intra-op threads of the CPU provider (default 2). */
  threads?: number;
  /**
   * Let idle ORT worker threads busy-wait for work (ORT's default). Off by default here: spinning
   * threads steal the cores that image decoding needs while the two are overlapped.
   */
  allowSpinning?: boolean;
  /** Run the session in a worker thread so that `run` does not block the event loop (default false). */
  worker?: boolean;
}

/** A dense float tensor handed to / returned from a session. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface ValueInfo {
  name: string;
  /** Dimensions; a string or -1 marks a symbolic (e.g. batch) dimension. Empty when unknown. */
  shape: (number | string)[];
}

interface Described {
  inputNames: string[];
  outputNames: string[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** What both engines (in-process, worker) provide. */
interface Engine extends Described {
  run(feeds: Record<string, FloatTensor>, outputs?: string[]): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

const WORKER_FLAG = '__lookbookOrtWorker';

function sessionOptions(opts: OnnxSessionOptions): ort.InferenceSession.SessionOptions {
  const spin = opts.allowSpinning ? '1' : '0';
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

function describe(s: ort.InferenceSession): Described {
  const info = (m: ort.InferenceSession.ValueMetadata): ValueInfo =>
    m.isTensor ? { name: m.name, shape: [...m.shape] } : { name: m.name, shape: [] };
  return {
    inputNames: [...s.inputNames],
    outputNames: [...s.outputNames],
    inputs: s.inputMetadata.map(info),
    outputs: s.outputMetadata.map(info),
  };
}

async function runOrt(s: ort.InferenceSession, feeds: Record<string, FloatTensor>, outputs?: string[]) {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
  const res = outputs ? await s.run(ortFeeds, outputs) : await s.run(ortFeeds);
  const out: Record<string, FloatTensor> = {};
  for (const [name, t] of Object.entries(res)) {
    if (t.type !== 'float32') throw new Error(`output ${name} is ${t.type}, expected float32`);
    out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
  }
  return out;
}

async function inProcessEngine(model: string | Uint8Array, opts: OnnxSessionOptions): Promise<Engine> {
  const s =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions(opts))
      : await ort.InferenceSession.create(model, sessionOptions(opts));
  return { ...describe(s), run: (feeds, outputs) => runOrt(s, feeds, outputs), release: () => s.release() };
}

type Reply = { id: number; ok: true; value: any } | { id: number; ok: false; message: string };

async function workerEngine(model: string | Uint8Array, opts: OnnxSessionOptions): Promise<Engine> {
  const url = new URL(import.meta.url);
  const data = { [WORKER_FLAG]: true, model, opts };
  // Running from TypeScript sources (tsx): the worker registers tsx before loading this file.
  const worker = url.pathname.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(url.href)}))`,
        { eval: true, workerData: data },
      )
    : new Worker(url, { workerData: data });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.message));
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`ONNX worker exited (${code})`)));
  const call = (msg: Record<string, unknown>): Promise<any> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  };
  const described = (await call({ op: 'init' })) as Described;
  return {
    ...described,
    run: (feeds, outputs) => call({ op: 'run', feeds, outputs }),
    release: async () => {
      if (!dead) await call({ op: 'release' }).catch(() => {});
      dead ??= new Error('session was disposed');
      await worker.terminate();
    },
  };
}

/** Worker side: owns one session and answers init / run / release messages. */
function serveWorker(): void {
  const { model, opts } = workerData as { model: string | Uint8Array; opts: OnnxSessionOptions };
  let session: Promise<ort.InferenceSession> | undefined;
  parentPort!.on('message', async (m: { id: number; op: string; feeds?: Record<string, FloatTensor>; outputs?: string[] }) => {
    try {
      session ??=
        typeof model === 'string'
          ? ort.InferenceSession.create(model, sessionOptions(opts))
          : ort.InferenceSession.create(model, sessionOptions(opts));
      const s = await session;
      let value: unknown = null;
      if (m.op === 'init') value = describe(s);
      else if (m.op === 'run') value = await runOrt(s, m.feeds!, m.outputs);
      else if (m.op === 'release') await s.release();
      parentPort!.postMessage({ id: m.id, ok: true, value } satisfies Reply);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, ok: false, message: (e as Error)?.message ?? String(e) } satisfies Reply);
    }
  });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) serveWorker();

export class OnnxSession {
  readonly #engine: Engine;
  readonly #subject: string;
  #disposed = false;

  private constructor(engine: Engine, subject: string) {
    this.#engine = engine;
    this.#subject = subject;
  }

  /** Opens a model from a file path or from its bytes. Throws LB_ERR_BACKBONE when ORT refuses it. */
  static async create(model: string | Uint8Array, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const threads = opts.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `threads must be a positive integer, got ${threads}`);
    }
    const subject = typeof model === 'string' ? model : 'onnx-bytes';
    try {
      const engine = opts.worker ? await workerEngine(model, opts) : await inProcessEngine(model, opts);
      return new OnnxSession(engine, subject);
    } catch (e) {
      throw new LookbookError('LB_ERR_BACKBONE', `cannot load ONNX model: ${(e as Error).message}`, { cause: e, subject });
    }
  }

  get inputNames(): readonly string[] {
    return this.#engine.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#engine.outputNames;
  }

  get inputs(): ValueInfo[] {
    return this.#engine.inputs;
  }

  get outputs(): ValueInfo[] {
    return this.#engine.outputs;
  }

  /** Runs one batch. feeds maps input name → tensor; returns the requested outputs (default: all). */
  async run(feeds: Record<string, FloatTensor>, outputs?: string[]): Promise<Record<string, FloatTensor>> {
    if (this.#disposed) throw new LookbookError('LB_ERR_BACKBONE', 'session was disposed', { subject: this.#subject });
    try {
      return await this.#engine.run(feeds, outputs);
    } catch (e) {
      throw new LookbookError('LB_ERR_BACKBONE', `ONNX inference failed: ${(e as Error).message}`, {
        cause: e,
        subject: this.#subject,
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#engine.release();
  }
}
