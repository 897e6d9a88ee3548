/** Shared domain types. Keep this file free of imports from other layers. */

/** One catalogue item as stored. Typed columns are promoted from metadata by the column mapping. */
export interface Item {
  id: string;
  /** Absolute path (or URL-less reference) of the source image; null when the item has no image. */
  imagePath: string | null;
  /** sha256 of the image bytes (hex); null when the item has no image or it failed to read. */
  contentHash: string | null;
  title: string | null;
  category: string | null;
  colour: string | null;
  gender: string | null;
  price: number | null;
  /** Every other metadata column, as strings. */
  meta: Record<string, string>;
  /** ms since epoch when the item row was last written. */
  updatedAt?: number;
}

/** A named colour with its share of the garment's pixels. */
export interface ColourShare {
  name: string;
  hex: string;
  /** CIELAB L*, a*, b*. */
  lab: [number, number, number];
  /** 0..1 share of foreground pixels. */
  share: number;
}

export interface PatternInfo {
  /** e.g. solid, striped, checked, printed */
  label: string;
  /** Texture statistics the label was derived from (edge density, orientation energy…). */
  scores: Record<string, number>;
}

/** Readable attributes computed from pixels (no learned model needed). */
export interface ImageAttributes {
  colours: ColourShare[];
  /** Normalised colour histogram over the foreground (fixed binning, sums to 1). */
  histogram: number[];
  /** Foreground (non-background) share of the image, 0..1. */
  foreground: number;
  pattern?: PatternInfo;
}

/** Stored features for one image content hash and one backbone. */
export interface FeatureRecord {
  contentHash: string;
  backbone: string;
  /** L2-normalised embedding. */
  vector: Float32Array;
  attributes: ImageAttributes;
}

export interface PriceRange {
  min?: number;
  max?: number;
}

/** Metadata filters accepted everywhere a list of items is produced. */
export interface ItemFilter {
  category?: string | string[];
  gender?: string | string[];
  colour?: string | string[];
  price?: PriceRange;
  /** Any metadata field equals a value (exact, case-insensitive). */
  meta?: Record<string, string>;
  /** Ids never returned. */
  excludeIds?: string[];
}

export interface Outfit {
  id: string;
  itemIds: string[];
  meta?: Record<string, string>;
}

/** A user-item interaction. kind is e.g. view, like, cart, purchase, rent, rating. */
export interface InteractionEvent {
  userId: string;
  itemId: string;
  kind: string;
  /** Explicit value (e.g. rating 2..10); null for implicit events. */
  value: number | null;
  /** ms since epoch. */
  timestamp: number;
}

export interface ModelRecord {
  name: string;
  kind: string;
  version: number;
  createdAt: number;
  /** Path of the model directory relative to the data directory. */
  path: string;
  metrics: Record<string, unknown>;
  meta: Record<string, unknown>;
}

/** One search hit from a vector index. score = cosine similarity (higher is closer). */
export interface Neighbour {
  id: string;
  score: number;
}
