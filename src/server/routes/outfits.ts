/** Outfits: score a set of items, fill in the blank, complete the look (needs a trained compatibility model). */
import type { FastifyInstance } from 'fastify';
import { completeTheLook, fillInTheBlank, openOutfitContext, scoreOutfit, type OutfitContext } from '../../pipelines/outfit.ts';
import { MODEL_NAME } from '../../models/compatibility/registry.ts';
import { LookbookError } from '../../errors.ts';
import { FilterQueryProperties, IdParams, ItemSchema, filterFromQuery, itemView, type FilterQuery } from '../schemas.ts';
import type { ServerDeps } from './index.ts';

const ids = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 512 }, minItems: 1, maxItems: 20 } as const;
const pair = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' }, score: { type: 'number' } } } as const;

export function outfitRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb } = deps;
  let cached: { version: number; ctx: Promise<OutfitContext> } | undefined;
  /** The outfit context of the newest compatibility model (reloaded when a new version is trained). */
  const outfitCtx = async (): Promise<OutfitContext> => {
    const record = await lb.store.getModel(MODEL_NAME);
    if (!record) throw new LookbookError('LB_ERR_MODEL_MISSING', 'no outfit compatibility model yet: import outfits and train one (POST /api/jobs/train {"kind":"compatibility"})');
    if (cached?.version !== record.version) {
      const ctx = openOutfitContext(lb.store, lb.config.dataDir);
      cached = { version: record.version, ctx };
      ctx.catch(() => (cached = undefined));
    }
    return cached.ctx;
  };
  const withItems = async (itemIds: string[]) => new Map((await lb.store.getItems(itemIds)).map((i) => [i.id, itemView(i)]));

  app.post<{ Body: { itemIds: string[] } }>(
    '/api/outfits/score',
    {
      config: { write: false },
      schema: {
        summary: 'Compatibility score (0..1) of a set of items, with the weakest pair as explanation',
        tags: ['outfits'],
        body: { type: 'object', properties: { itemIds: { ...ids, minItems: 2 } }, required: ['itemIds'], additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { itemIds: { type: 'array', items: { type: 'string' } }, score: { type: 'number' }, raw: { type: 'number' }, weakestPair: { ...pair, type: ['object', 'null'] }, pairs: { type: 'array', items: pair }, reasons: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async (request) => scoreOutfit(await outfitCtx(), request.body.itemIds),
  );

  app.post<{ Body: { itemIds: string[]; candidates?: string[]; category?: string; k?: number } }>(
    '/api/outfits/fill-blank',
    {
      config: { write: false },
      schema: {
        summary: 'Rank candidates (given, or retrieved from a category) for the missing item of an outfit',
        tags: ['outfits'],
        body: {
          type: 'object',
          properties: { itemIds: ids, candidates: { ...ids, maxItems: 200 }, category: { type: 'string', minLength: 1, maxLength: 200 }, k: { type: 'integer', minimum: 1, maximum: 100 } },
          required: ['itemIds'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (request) => {
      const r = await fillInTheBlank(await outfitCtx(), request.body);
      const items = await withItems(r.ranked.map((c) => c.id));
      return { ...r, ranked: r.ranked.map((c) => ({ ...c, item: items.get(c.id) })) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: FilterQuery & { n: number } }>(
    '/api/items/:id/complete-the-look',
    {
      schema: {
        summary: 'Complete-the-look outfits built around an item',
        tags: ['outfits'],
        params: IdParams,
        querystring: { type: 'object', properties: { ...FilterQueryProperties, n: { type: 'integer', minimum: 1, maximum: 10, default: 3 } }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              outfits: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    itemIds: { type: 'array', items: { type: 'string' } },
                    items: { type: 'array', items: ItemSchema },
                    score: { type: 'number' },
                    categories: { type: 'array', items: { type: 'string' } },
                    reasons: { type: 'array', items: { type: 'string' } },
                    added: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, category: { type: ['string', 'null'] }, reason: { type: 'string' } } } },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { n, ...q } = request.query;
      const r = await completeTheLook(await outfitCtx(), { itemIds: [request.params.id], n, filter: filterFromQuery(q) });
      const items = await withItems([...new Set(r.outfits.flatMap((o) => o.itemIds))]);
      return { outfits: r.outfits.map((o) => ({ ...o, items: o.itemIds.map((id) => items.get(id)).filter(Boolean) })) };
    },
  );
}
