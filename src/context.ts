/**
 * The context every use case receives: configuration, the store, a lazily created embedder, a logger.
 * CLI, HTTP server and library all build one of these and call the same pipeline functions.
 */
import type { LookbookConfig } from './config/index.ts';
import type { Logger } from './logging/index.ts';
import type { Store } from './store/store.ts';
import type { Embedder } from './embeddings/embedder.ts';

export interface LookbookContext {
  config: LookbookConfig;
  store: Store;
  logger: Logger;
  /** The backbone name vectors are stored under (known without loading the model). */
  backboneName: string;
  /** Loads (and on first use prepares) the CNN backbone. */
  embedder(): Promise<Embedder>;
}
