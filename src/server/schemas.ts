/**
 * Shared JSON schemas for the HTTP API. Routes reference these objects directly; the OpenAPI document
 * at /openapi.json is generated from the same route schemas, so docs and validation cannot drift.
 */
import type { ItemFilter } from '../types.ts';
import type { Item } from '../types.ts';
import { itemFilterFrom, type FilterFields } from '../catalog/filter.ts';

export const nullableString = { type: ['string', 'null'] } as const;
export const nullableNumber = { type: ['number', 'null'] } as const;

export const ErrorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        subject: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

export const ColourSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    hex: { type: 'string' },
    lab: { type: 'array', items: { type: 'number' } },
    share: { type: 'number' },
  },
} as const;

/** An item as the API shows it: no server file paths, links to its image and thumbnail instead. */
export const ItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: nullableString,
    category: nullableString,
    colour: nullableString,
    gender: nullableString,
    price: nullableNumber,
    meta: { type: 'object', additionalProperties: { type: 'string' } },
    contentHash: nullableString,
    hasImage: { type: 'boolean' },
    imageUrl: nullableString,
    thumbUrl: nullableString,
    updatedAt: { type: 'number' },
  },
  required: ['id'],
} as const;

export interface ItemView {
  id: string;
  title: string | null;
  category: string | null;
  colour: string | null;
  gender: string | null;
  price: number | null;
  meta: Record<string, string>;
  contentHash: string | null;
  hasImage: boolean;
  imageUrl: string | null;
  thumbUrl: string | null;
  updatedAt?: number;
}

export function itemView(item: Item): ItemView {
  const enc = encodeURIComponent(item.id);
  const hasImage = Boolean(item.imagePath && item.contentHash);
  return {
    id: item.id,
    title: item.title,
    category: item.category,
    colour: item.colour,
    gender: item.gender,
    price: item.price,
    meta: item.meta ?? {},
    contentHash: item.contentHash,
    hasImage,
    imageUrl: hasImage ? `/api/items/${enc}/image` : null,
    thumbUrl: hasImage ? `/api/items/${enc}/thumb` : null,
    updatedAt: item.updatedAt,
  };
}

export const IdParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
  required: ['id'],
} as const;

const stringList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 50 } as const;

/** Metadata filter query parameters (shared by listing, similar and recommendations). */
export const FilterQueryProperties = {
  category: stringList,
  gender: stringList,
  colour: stringList,
  minPrice: { type: 'number' },
  maxPrice: { type: 'number' },
  where: { ...stringList, description: 'metadata field=value (repeatable), e.g. where=usage=Casual' },
} as const;

export type FilterQuery = FilterFields;

export const SimilarResultSchema = {
  type: 'object',
  properties: {
    item: ItemSchema,
    score: { type: 'number' },
    reasons: { type: 'array', items: { type: 'string' } },
    colours: { type: 'array', items: ColourSchema },
  },
} as const;

export const SimilarAnswerSchema = {
  type: 'object',
  properties: {
    query: {
      type: 'object',
      properties: {
        itemId: { type: 'string' },
        contentHash: nullableString,
        category: nullableString,
        colours: { type: 'array', items: ColourSchema },
      },
    },
    space: { type: 'string' },
    results: { type: 'array', items: SimilarResultSchema },
    style: { type: 'object', additionalProperties: true },
  },
} as const;

export const JobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    params: { type: 'object', additionalProperties: true },
    progress: { type: 'object', additionalProperties: true },
    warnings: { type: 'array', items: { type: 'string' } },
    result: {},
    error: { type: 'object', additionalProperties: true },
    createdAt: { type: 'number' },
    startedAt: { type: 'number' },
    finishedAt: { type: 'number' },
  },
} as const;

/** Converts filter query parameters to the library's ItemFilter (LB_ERR_INVALID_ARGUMENT on bad where=). */
export function filterFromQuery(q: FilterQuery): ItemFilter {
  return itemFilterFrom(q, 'where');
}
