/**
 * The embedding pipeline: prepared RGB inputs → backbone (ONNX) → L2-normalised vectors, plus
 * embedMany, which overlaps decoding (sharp, on libuv threads) with batched inference (ORT threads).
 */
import { LookbookError } from '../errors.ts';
import { OnnxSession } from '../backends/onnx.ts';
import { prepareImage, type PrepareImageOptions, type PreparedImage } from '../processors/image.ts';
import { prepareBackbone, type BackboneSpec } from './backbones.ts';

export interface EmbedderOptions {
  /** Registry name or spec (default mobilenet_v2_140). */
  backbone?: string | BackboneSpec;
  /** Where converted backbones are cached (models/backbones/). */
  dataDir: string;
  /** ORT intra-op threads (default 2). */
  threads?: number;
  /** Images per inference call (default 32). */
  batchSize?: number;
  /** Run inference in a worker thread so decoding overlaps it (default true). */
  worker?: boolean;
}

export interface EmbedderInfo {
  name: string;
  dim: number;
  inputSize: number;
  version: string;
}

export class Embedder {
  readonly info: EmbedderInfo;
  readonly batchSize: number;
  readonly #session: OnnxSession;
  readonly #spec: BackboneSpec;
  readonly #inputName: string;
  readonly #outputName: string;

  private constructor(session: OnnxSession, spec: BackboneSpec, dim: number, batchSize: number, io: [string, string]) {
    this.#session = session;
    this.#spec = spec;
    this.batchSize = batchSize;
    [this.#inputName, this.#outputName] = io;
    this.info = { name: spec.name, dim, inputSize: spec.inputSize, version: spec.version };
  }

  static async create(opts: EmbedderOptions): Promise<Embedder> {
    const batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
    }
    const prepared = await prepareBackbone(opts.backbone ?? 'mobilenet_v2_140', opts.dataDir);
    const spec = prepared.spec;
    const session = await OnnxSession.create(prepared.modelPath, { threads: opts.threads ?? 2, worker: opts.worker ?? true });
    try {
      const inputName = spec.inputName ?? session.inputNames[0];
      const outputName = spec.outputName ?? session.outputNames[0];
      if (!session.inputNames.includes(inputName)) throw new Error(`model has no input "${inputName}"`);
      if (!session.outputNames.includes(outputName)) throw new Error(`model has no output "${outputName}"`);
      const embedder = new Embedder(session, spec, spec.dim ?? 0, batchSize, [inputName, outputName]);
      // Read (or check) the dimension with one blank image: catches a wrong size/layout up front.
      const probe = await embedder.#run([new Uint8Array(spec.inputSize * spec.inputSize * 3).fill(255)], false);
      const dim = probe.dims[probe.dims.length - 1];
      if (spec.dim !== undefined && spec.dim !== dim) throw new Error(`model output has dimension ${dim}, spec says ${spec.dim}`);
      (embedder.info as { dim: number }).dim = dim;
      return embedder;
    } catch (e) {
      await session.dispose();
      if (e instanceof LookbookError) throw e;
      throw new LookbookError('LB_ERR_BACKBONE', `backbone ${spec.name}: ${(e as Error).message}`, { cause: e, subject: prepared.modelPath });
    }
  }

  /** Packs RGB uint8 inputs into the model's layout and normalisation, runs one batch. */
  async #run(inputs: Uint8Array[], check = true): Promise<{ data: Float32Array; dims: readonly number[] }> {
    const s = this.#spec.inputSize;
    const plane = s * s;
    const x = new Float32Array(inputs.length * plane * 3);
    const { mean, std, layout } = this.#spec;
    const a = [0, 1, 2].map((c) => 1 / (255 * std[c]));
    const b = [0, 1, 2].map((c) => -mean[c] / std[c]);
    inputs.forEach((img, n) => {
      if (img.length !== plane * 3) {
        throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `input ${n} has ${img.length} bytes, expected ${plane * 3} (${s}×${s}×3)`);
      }
      const base = n * plane * 3;
      if (layout === 'NHWC') {
        for (let i = 0; i < plane * 3; i++) x[base + i] = img[i] * a[i % 3] + b[i % 3];
      } else {
        for (let i = 0; i < plane; i++)
          for (let c = 0; c < 3; c++) x[base + c * plane + i] = img[i * 3 + c] * a[c] + b[c];
      }
    });
    const dims = layout === 'NHWC' ? [inputs.length, s, s, 3] : [inputs.length, 3, s, s];
    const out = (await this.#session.run({ [this.#inputName]: { data: x, dims } }, [this.#outputName]))[this.#outputName];
    const flat = out.dims.slice(1).reduce((p, q) => p * q, 1);
    if (out.dims[0] !== inputs.length || (check && flat !== this.info.dim)) {
      throw new LookbookError('LB_ERR_BACKBONE', `unexpected output shape [${out.dims.join(',')}]`);
    }
    return { data: out.data, dims: [out.dims[0], flat] };
  }

  /** size×size×3 RGB inputs (from prepareImage) → L2-normalised vectors, in input order. */
  async embed(inputs: Uint8Array[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const dim = this.info.dim;
    for (let start = 0; start < inputs.length; start += this.batchSize) {
      const batch = inputs.slice(start, start + this.batchSize);
      const { data } = await this.#run(batch);
      for (let n = 0; n < batch.length; n++) out.push(l2normalize(data.slice(n * dim, (n + 1) * dim)));
    }
    return out;
  }

  /** Prepares and embeds one image. */
  async embedImage(
    src: string | Buffer,
    opts: Omit<PrepareImageOptions, 'inputSize'> = {},
  ): Promise<{ prepared: PreparedImage; vector: Float32Array }> {
    const prepared = await prepareImage(src, { ...opts, inputSize: this.info.inputSize });
    const [vector] = await this.embed([prepared.input.data]);
    return { prepared, vector };
  }

  async dispose(): Promise<void> {
    await this.#session.dispose();
  }
}

/** In-place L2 normalisation (a zero vector stays zero). */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}

export interface EmbedJob<K> {
  key: K;
  source: string | Buffer;
}
export type EmbedResult<K> =
  | { key: K; prepared: PreparedImage; vector: Float32Array | null }
  | { key: K; error: LookbookError };

export interface EmbedManyOptions {
  /** Images decoded at once (default 4). */
  decodeConcurrency?: number;
  onProgress?: (e: { done: number; failed: number }) => void;
  maxPixels?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Return true to skip the CNN for this image (e.g. its content hash already has features): vector is null. */
  skip?: (p: PreparedImage) => boolean;
}

/**
 * Decodes with bounded concurrency while the previous batch runs on the backbone, and yields results
 * in completion order. A bad image yields `{ key, error }`; it never throws for one. Aborting the
 * signal stops pulling jobs and makes the iteration throw the abort reason.
 */
export async function* embedMany<K>(
  embedder: Embedder,
  jobs: AsyncIterable<EmbedJob<K>> | Iterable<EmbedJob<K>>,
  opts: EmbedManyOptions = {},
): AsyncGenerator<EmbedResult<K>> {
  const concurrency = Math.max(1, opts.decodeConcurrency ?? 4);
  const batchSize = embedder.batchSize;
  const it: AsyncIterator<EmbedJob<K>> | Iterator<EmbedJob<K>> =
    Symbol.asyncIterator in jobs ? jobs[Symbol.asyncIterator]() : (jobs as Iterable<EmbedJob<K>>)[Symbol.iterator]();
  const results: EmbedResult<K>[] = [];
  const ready: { key: K; prepared: PreparedImage }[] = [];
  let inflight = 0;
  let pulling = false;
  let exhausted = false;
  let inferring = false;
  let fatal: { error: unknown } | undefined;
  let done = 0;
  let failed = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const emit = (r: EmbedResult<K>) => {
    results.push(r);
    if ('error' in r) failed++;
    else done++;
    opts.onProgress?.({ done, failed });
  };
  const toError = (e: unknown, subject: string): LookbookError =>
    e instanceof LookbookError ? e : new LookbookError('LB_ERR_INTERNAL', (e as Error)?.message ?? String(e), { cause: e, subject });
  const nameOf = (s: string | Buffer, k: K) => (typeof s === 'string' ? s : String(k));

  const decode = (job: EmbedJob<K>) => {
    inflight++;
    prepareImage(job.source, {
      inputSize: embedder.info.inputSize,
      maxPixels: opts.maxPixels,
      maxBytes: opts.maxBytes,
      name: nameOf(job.source, job.key),
    }).then(
      (prepared) => {
        let skip = false;
        try {
          skip = opts.skip?.(prepared) ?? false;
        } catch (e) {
          fatal ??= { error: e };
        }
        if (skip) emit({ key: job.key, prepared, vector: null });
        else ready.push({ key: job.key, prepared });
      },
      (e) => emit({ key: job.key, error: toError(e, nameOf(job.source, job.key)) }),
    ).finally(() => {
      inflight--;
      pump();
    });
  };

  const infer = (batch: { key: K; prepared: PreparedImage }[]) => {
    inferring = true;
    embedder.embed(batch.map((b) => b.prepared.input.data)).then(
      (vectors) => batch.forEach((b, i) => emit({ key: b.key, prepared: b.prepared, vector: vectors[i] })),
      (e) => {
        const err = toError(e, embedder.info.name);
        batch.forEach((b) => emit({ key: b.key, error: err }));
      },
    ).finally(() => {
      inferring = false;
      pump();
    });
  };

  function pump(): void {
    if (fatal || opts.signal?.aborted) return notify();
    // Keep the decoders busy, but don't run far ahead of a slow consumer.
    if (!exhausted && !pulling && inflight < concurrency && ready.length + results.length < 4 * batchSize) {
      pulling = true;
      Promise.resolve(it.next()).then(
        (n) => {
          pulling = false;
          if (n.done) exhausted = true;
          else decode(n.value);
          pump();
        },
        (e) => {
          pulling = false;
          fatal ??= { error: e };
          pump();
        },
      );
    }
    // Full batches go as soon as the backbone is free; a partial one when nothing else is coming.
    const drained = exhausted && inflight === 0 && !pulling;
    if (!inferring && (ready.length >= batchSize || (drained && ready.length > 0))) infer(ready.splice(0, batchSize));
    notify();
  }

  opts.signal?.addEventListener('abort', notify);
  pump();
  try {
    while (true) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      if (results.length > 0) {
        yield results.shift()!;
        pump();
        continue;
      }
      if (fatal) throw fatal.error;
      if (exhausted && inflight === 0 && !pulling && !inferring && ready.length === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    opts.signal?.removeEventListener('abort', notify);
    if (!exhausted) await (it as AsyncIterator<EmbedJob<K>>).return?.();
  }
}
