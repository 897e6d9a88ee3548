import type {
  FeatureRecord,
  InteractionEvent,
  Item,
  ItemFilter,
  ModelRecord,
  Neighbour,
  Outfit,
} from '../types.ts';

/**
 * The store boundary. Nothing outside src/store talks to SQLite, Postgres or an ANN index.
 * Two implementations: the embedded SQLite + usearch store (default) and the PostgreSQL + pgvector store.
 * Both must pass src/store/common.case.test.ts.
 *
 * All methods are async so that network-backed stores fit the same interface.
 * The store is the source of truth; any ANN index is derived from it and rebuilt when stale.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  // --- items --------------------------------------------------------------
  /** Insert or replace items (transactional: all or nothing). */
  upsertItems(items: Item[]): Promise<void>;
  getItem(id: string): Promise<Item | undefined>;
  getItems(ids: string[]): Promise<Item[]>;
  listItems(opts?: { filter?: ItemFilter; limit?: number; offset?: number }): Promise<Item[]>;
  countItems(filter?: ItemFilter): Promise<number>;
  /** Removes items (their features stay cached by content hash). Returns how many were removed. */
  deleteItems(ids: string[]): Promise<number>;
  /** All item ids with their content hash (for incremental ingest). */
  itemHashes(): Promise<Map<string, string | null>>;

  // --- features (keyed by content hash + backbone: the same bytes are never embedded twice) ---
  putFeatures(records: FeatureRecord[]): Promise<void>;
  getFeatures(contentHash: string, backbone: string): Promise<FeatureRecord | undefined>;
  /** Which of these hashes already have features for the backbone. */
  hasFeatures(contentHashes: string[], backbone: string): Promise<Set<string>>;
  /** Features of items (by item id), for items that have them. */
  itemFeatures(ids: string[], backbone: string): Promise<Map<string, FeatureRecord>>;
  /**
   * Every item that has features for the backbone, as one dense matrix (row i = ids[i]).
   * Used for training models and building indexes.
   */
  allItemVectors(backbone: string): Promise<{ ids: string[]; dim: number; vectors: Float32Array }>;

  // --- vector search --------------------------------------------------------
  /**
   * Nearest items to a query vector among items with features for `space`
   * (a backbone name, or a learned projection name stored with putVectors).
   * exact=true forces brute force (the reference); otherwise ANN when the catalogue is large.
   */
  searchVectors(
    space: string,
    query: Float32Array,
    k: number,
    opts?: { filter?: ItemFilter; exact?: boolean },
  ): Promise<Neighbour[]>;
  /** Stores derived per-item vectors (e.g. a learned similarity space) under a space name. */
  putItemVectors(space: string, ids: string[], vectors: Float32Array, dim: number): Promise<void>;
  /** Per-item vectors of a derived space (or of a backbone). */
  getItemVectors(space: string, ids: string[]): Promise<Map<string, Float32Array>>;

  // --- outfits --------------------------------------------------------------
  putOutfits(outfits: Outfit[]): Promise<void>;
  listOutfits(): Promise<Outfit[]>;

  // --- events ---------------------------------------------------------------
  /** Idempotent: an identical (user, item, kind, timestamp) event is stored once. Returns how many were new. */
  addEvents(events: InteractionEvent[]): Promise<number>;
  listEvents(opts?: { userId?: string; before?: number }): Promise<InteractionEvent[]>;

  // --- models ---------------------------------------------------------------
  putModel(record: Omit<ModelRecord, 'version' | 'createdAt'>): Promise<ModelRecord>;
  /** Newest version of a model by name. */
  getModel(name: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;

  // --- key/value state (ingest checkpoints, index stamps) --------------------
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;

  /** Flushes indexes to disk and releases handles. */
  close(): Promise<void>;
}
