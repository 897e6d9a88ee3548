/**
 * Implicit-feedback weights per event kind. Explicit ratings map to a weight through a threshold:
 * a rating at or above `threshold` counts as a positive of weight `positive`, below it `negative`
 * (0 = ignored). Everything here is plain configuration; nothing reads the store.
 */
import type { InteractionEvent } from '../types.ts';

export interface RatingWeights {
  /** Ratings ≥ threshold are positives (e.g. 6 on RentTheRunway's 2..10 scale). */
  threshold: number;
  positive: number;
  /** Weight of ratings under the threshold; 0 drops them from training. */
  negative: number;
}

export interface EventWeights {
  /** Weight of each implicit kind (view, like, cart, purchase, rent…). */
  kinds: Record<string, number>;
  /** Kinds whose `value` is an explicit rating mapped through `rating` (the kind weight then scales it). */
  ratingKinds: string[];
  rating: RatingWeights;
  /** Weight of kinds not listed; null drops them. */
  unknownKind: number | null;
}

export const DEFAULT_EVENT_WEIGHTS: EventWeights = {
  kinds: { view: 1, click: 1, like: 3, cart: 4, purchase: 5, rent: 5, rating: 1 },
  ratingKinds: ['rating'],
  rating: { threshold: 6, positive: 5, negative: 0 },
  unknownKind: 1,
};

/** Merges a partial configuration over the defaults. */
export function resolveWeights(partial: Partial<EventWeights> = {}): EventWeights {
  return {
    kinds: { ...DEFAULT_EVENT_WEIGHTS.kinds, ...(partial.kinds ?? {}) },
    ratingKinds: partial.ratingKinds ?? DEFAULT_EVENT_WEIGHTS.ratingKinds,
    rating: { ...DEFAULT_EVENT_WEIGHTS.rating, ...(partial.rating ?? {}) },
    unknownKind: partial.unknownKind === undefined ? DEFAULT_EVENT_WEIGHTS.unknownKind : partial.unknownKind,
  };
}

/** The training weight of one event (0 = not a positive signal). */
export function eventWeight(e: Pick<InteractionEvent, 'kind' | 'value'>, w: EventWeights = DEFAULT_EVENT_WEIGHTS): number {
  const kind = e.kind.toLowerCase();
  const base = kind in w.kinds ? w.kinds[kind]! : w.unknownKind;
  if (base === null) return 0;
  if (w.ratingKinds.includes(kind)) {
    if (e.value === null || !Number.isFinite(e.value)) return 0;
    return base * (e.value >= w.rating.threshold ? w.rating.positive : w.rating.negative);
  }
  return base;
}
