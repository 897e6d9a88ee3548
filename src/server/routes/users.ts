/** Users: record events, read a user's style profile and recommendations. */
import type { FastifyInstance } from 'fastify';
import { COLOUR_NAMES } from '../../attributes/index.ts';
import { LookbookError } from '../../errors.ts';
import { recordEvent } from '../../events/import.ts';
import { eventWeight } from '../../events/weights.ts';
import { buildStyleProfile } from '../../pipelines/style-profile.ts';
import { recommend, RECOMMENDER_MODEL_NAME } from '../../pipelines/recommender-service.ts';
import { FilterQueryProperties, ItemSchema, filterFromQuery, itemView, type FilterQuery } from '../schemas.ts';
import type { ServerDeps } from './index.ts';
import { DEFAULT_STYLE_COLUMN } from './style-hooks.ts';

const UserParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 256 } }, required: ['id'] } as const;
const share = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, share: { type: 'number' }, hex: { type: 'string' } } } } as const;
const HEX = new Map(COLOUR_NAMES.map((c) => [c.name.toLowerCase(), c.hex]));
/** Profile colours are names; add the swatch colour when the name is one of Lookbook's named colours. */
const withHex = (xs: { name: string; share: number }[]) => xs.map((c) => ({ ...c, ...(HEX.has(c.name.toLowerCase()) ? { hex: HEX.get(c.name.toLowerCase()) } : {}) }));
const EventSchema = {
  type: 'object',
  properties: { userId: { type: 'string' }, itemId: { type: 'string' }, kind: { type: 'string' }, value: { type: ['number', 'null'] }, timestamp: { type: 'number' } },
} as const;

export function userRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb } = deps;
  /** Items the user reacted to positively, newest first. */
  const likedItems = async (userId: string): Promise<string[]> => {
    const events = (await lb.store.listEvents({ userId })).filter((e) => eventWeight(e) > 0).sort((a, b) => b.timestamp - a.timestamp);
    return [...new Set(events.map((e) => e.itemId))].slice(0, 100);
  };

  app.post<{ Body: { userId: string; itemId: string; kind: string; value?: number | null; timestamp?: number } }>(
    '/api/events',
    {
      schema: {
        summary: 'Record one interaction (view, like, cart, purchase, rent, rating…) of a user with an item',
        tags: ['users'],
        body: {
          type: 'object',
          properties: {
            userId: { type: 'string', minLength: 1, maxLength: 256 },
            itemId: { type: 'string', minLength: 1, maxLength: 512 },
            kind: { type: 'string', minLength: 1, maxLength: 50 },
            value: { type: ['number', 'null'] },
            timestamp: { type: 'integer', minimum: 0, description: 'ms since epoch (default: now)' },
          },
          required: ['userId', 'itemId', 'kind'],
          additionalProperties: false,
        },
        response: { 201: { type: 'object', properties: { recorded: { type: 'boolean' } } } },
      },
    },
    async (request, reply) => {
      const recorded = await recordEvent(lb.store, request.body, { unknownItems: 'reject' });
      return reply.status(201).send({ recorded });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/users/:id/events',
    {
      schema: { summary: "A user's recorded events, newest first", tags: ['users'], params: UserParams, response: { 200: { type: 'object', properties: { events: { type: 'array', items: EventSchema } } } } },
    },
    async (request) => ({ events: (await lb.store.listEvents({ userId: request.params.id })).sort((a, b) => b.timestamp - a.timestamp).slice(0, 500) }),
  );

  app.get<{ Params: { id: string }; Querystring: { column: string } }>(
    '/api/users/:id/profile',
    {
      schema: {
        summary: "A user's style profile from the items they liked: styles, colours, categories",
        tags: ['users'],
        params: UserParams,
        querystring: { type: 'object', properties: { column: { type: 'string', minLength: 1, maxLength: 100, default: DEFAULT_STYLE_COLUMN } }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { userId: { type: 'string' }, column: { type: 'string' }, liked: { type: 'array', items: ItemSchema }, styles: share, colours: share, categories: share, missing: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async (request) => {
      const liked = await likedItems(request.params.id);
      if (liked.length === 0) throw new LookbookError('LB_ERR_NOT_FOUND', `user "${request.params.id}" has no positive events yet`, { subject: request.params.id });
      const p = await buildStyleProfile(lb.ctx, liked, { column: request.query.column });
      const items = await lb.store.getItems(p.used.slice(0, 24));
      return { userId: request.params.id, column: p.column, liked: items.map(itemView), styles: p.styles, colours: withHex(p.colours), categories: p.categories, missing: p.missing };
    },
  );

  app.get<{ Params: { id: string }; Querystring: FilterQuery & { k: number } }>(
    '/api/users/:id/recommendations',
    {
      schema: {
        summary: 'Recommendations for a user: the trained recommender when one exists, else nearest items to their style profile',
        tags: ['users'],
        params: UserParams,
        querystring: { type: 'object', properties: { ...FilterQueryProperties, k: { type: 'integer', minimum: 1, maximum: 100, default: 12 } }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              userId: { type: 'string' },
              mode: { type: 'string', enum: ['model', 'style-profile'] },
              results: { type: 'array', items: { type: 'object', properties: { item: ItemSchema, score: { type: 'number' }, reasons: { type: 'array', items: { type: 'string' } } } } },
            },
          },
        },
      },
    },
    async (request) => {
      const { k, ...q } = request.query;
      const userId = request.params.id;
      const filter = filterFromQuery(q);
      let mode: 'model' | 'style-profile';
      let recs: { itemId: string; score: number; reasons: string[] }[];
      if (await lb.store.getModel(RECOMMENDER_MODEL_NAME)) {
        mode = 'model';
        recs = (await recommend(lb.ctx, { userId }, { k, filter })).results;
      } else {
        mode = 'style-profile';
        const liked = await likedItems(userId);
        if (liked.length === 0) throw new LookbookError('LB_ERR_MODEL_MISSING', `no recommender is trained and user "${userId}" has no liked items to build a style profile from`, { subject: userId });
        const p = await buildStyleProfile(lb.ctx, liked);
        if (!p.meanVector) throw new LookbookError('LB_ERR_NO_FEATURES', `none of the items user "${userId}" liked has image features`, { subject: userId });
        const seen = (await lb.store.listEvents({ userId })).map((e) => e.itemId);
        const hits = await lb.store.searchVectors(lb.ctx.backboneName, p.meanVector, k, { filter: { ...filter, excludeIds: [...(filter.excludeIds ?? []), ...seen] } });
        recs = hits.map((h) => ({ itemId: h.id, score: h.score, reasons: ['matches your style profile'] }));
      }
      const items = new Map((await lb.store.getItems(recs.map((r) => r.itemId))).map((i) => [i.id, itemView(i)]));
      return { userId, mode, results: recs.filter((r) => items.has(r.itemId)).map((r) => ({ item: items.get(r.itemId), score: r.score, reasons: r.reasons })) };
    },
  );
}
