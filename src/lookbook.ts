/**
 * The library facade: `const lb = await Lookbook.open({ dataDir })`, then `lb.ingest(…)`, `lb.similar(…)`, …
 * Every method is a thin call into a pipeline with this instance's context, exactly as the CLI and
 * the HTTP server do.
 */
import fs from 'node:fs';
import { loadConfig, type LookbookConfig, type LookbookConfigInput } from './config/index.ts';
import type { LookbookContext } from './context.ts';
import { Embedder } from './embeddings/embedder.ts';
import { customBackbone, type BackboneSpec } from './embeddings/backbones.ts';
import { createLogger, type Logger } from './logging/index.ts';
import { ingestCatalogue, type IngestOptions, type IngestReport } from './pipelines/ingest.ts';
import { similarItems, type SimilarAnswer, type SimilarOptions, type SimilarQuery } from './pipelines/similar.ts';
import { openStore } from './store/index.ts';
import type { Store } from './store/store.ts';

export interface OpenOptions extends Partial<LookbookConfigInput> {
  /** Path of a JSON config file (default: lookbook.config.json in the working directory, if present). */
  config?: string;
  logger?: Logger;
  /** Ignore LOOKBOOK_* environment variables (for tests and embedding in other apps). */
  ignoreEnv?: boolean;
}

export function backboneNameOf(config: LookbookConfig): string {
  return typeof config.backbone === 'string' ? config.backbone : config.backbone.name;
}

/** The backbone the embedder loads: a registry name, or the spec of the user's own ONNX model. */
export function backboneSpecOf(config: LookbookConfig): string | BackboneSpec {
  const b = config.backbone;
  if (typeof b === 'string') return b;
  return customBackbone({ name: b.name, path: b.path, inputSize: b.inputSize, layout: b.layout, mean: b.mean, std: b.std, outputName: b.output });
}

export class Lookbook {
  readonly ctx: LookbookContext;
  #embedder?: Promise<Embedder>;

  private constructor(config: LookbookConfig, store: Store, logger: Logger) {
    this.ctx = {
      config,
      store,
      logger,
      backboneName: backboneNameOf(config),
      embedder: () => {
        this.#embedder ??= Embedder.create({
          backbone: backboneSpecOf(config),
          dataDir: config.dataDir,
          threads: config.threads,
          batchSize: config.batchSize,
        });
        return this.#embedder;
      },
    };
  }

  static async open(opts: OpenOptions = {}): Promise<Lookbook> {
    const { logger, ignoreEnv, ...flags } = opts;
    const config = loadConfig(flags, { env: ignoreEnv ? {} : process.env });
    const log = logger ?? createLogger(config.logLevel);
    if (!config.storeUrl) fs.mkdirSync(config.dataDir, { recursive: true });
    const store = await openStore(config.storeUrl ? { url: config.storeUrl } : { dataDir: config.dataDir });
    return new Lookbook(config, store, log);
  }

  get config(): LookbookConfig {
    return this.ctx.config;
  }

  get store(): Store {
    return this.ctx.store;
  }

  ingest(opts: IngestOptions): Promise<IngestReport> {
    return ingestCatalogue(this.ctx, opts);
  }

  similar(query: SimilarQuery, opts?: SimilarOptions): Promise<SimilarAnswer> {
    return similarItems(this.ctx, query, opts);
  }

  async close(): Promise<void> {
    if (this.#embedder) await (await this.#embedder.catch(() => undefined))?.dispose();
    await this.ctx.store.close();
  }
}
