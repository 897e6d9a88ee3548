/**
 * Lookbook's public API. This file only re-exports.
 */
export { Lookbook, type OpenOptions } from './lookbook.ts';
export { loadConfig, type LookbookConfig, type LookbookConfigInput } from './config/index.ts';
export { LookbookError, ERROR_CATALOGUE, type ErrorCode } from './errors.ts';
export type { LookbookContext } from './context.ts';
export type { ProgressEvent, ProgressCallback, Logger } from './logging/index.ts';
export type * from './types.ts';
export type { Store } from './store/store.ts';
export { openStore } from './store/index.ts';

// Features
export { Embedder, embedMany } from './embeddings/embedder.ts';
export { BACKBONES, customBackbone } from './embeddings/backbones.ts';
export { prepareImage, type PreparedImage } from './processors/image.ts';
export { extractAttributes, sharedColourNames, colourSimilarity, colourHarmony } from './attributes/index.ts';

// Catalogue and use cases
export { readCatalogue, type CatalogueReadResult } from './catalog/read.ts';
export { parseMapping, type ColumnMapping } from './catalog/mapping.ts';
export { ingestCatalogue, type IngestOptions, type IngestReport } from './pipelines/ingest.ts';
export { similarItems, type SimilarQuery, type SimilarOptions, type SimilarAnswer } from './pipelines/similar.ts';
export { evaluateSimilarity, type SimilarityEvalResult } from './eval/similarity.ts';
