/** Style: predict the style of an item or an uploaded photo; list trained models. */
import type { FastifyInstance } from 'fastify';
import { predictStyle } from '../../pipelines/style.ts';
import { readUpload, requireImage } from '../uploads.ts';
import { IdParams } from '../schemas.ts';
import type { ServerDeps } from './index.ts';
import { DEFAULT_STYLE_COLUMN } from './style-hooks.ts';
import { embedQueryImage } from '../../pipelines/similar.ts';

const probability = { type: 'object', properties: { label: { type: 'string' }, probability: { type: 'number' } } } as const;
const StylePredictionSchema = {
  type: 'object',
  properties: {
    column: { type: 'string' },
    model: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' } } },
    label: { type: 'string' },
    top: { type: 'array', items: probability },
    attributes: { type: 'object', additionalProperties: true },
  },
} as const;
const StyleQuery = {
  type: 'object',
  properties: {
    column: { type: 'string', minLength: 1, maxLength: 100, default: DEFAULT_STYLE_COLUMN, description: 'label column the style model was trained on' },
    top: { type: 'integer', minimum: 1, maximum: 50, default: 3 },
  },
  additionalProperties: false,
} as const;

export function styleRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb } = deps;

  app.get<{ Params: { id: string }; Querystring: { column: string; top: number } }>(
    '/api/items/:id/style',
    {
      schema: {
        summary: 'Predicted style of a catalogue item (409 LB_ERR_MODEL_MISSING until a style model is trained)',
        tags: ['style'],
        params: IdParams,
        querystring: StyleQuery,
        response: { 200: StylePredictionSchema },
      },
    },
    async (request) => predictStyle(lb.ctx, { itemId: request.params.id }, { column: request.query.column, top: request.query.top }),
  );

  app.post<{ Querystring: { column: string; top: number } }>(
    '/api/style',
    {
      config: { write: false },
      schema: {
        summary: 'Predicted style of an uploaded photo',
        tags: ['style'],
        querystring: StyleQuery,
        multipart: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, required: ['image'] },
        response: { 200: StylePredictionSchema },
      },
    },
    async (request) => {
      const image = await requireImage(await readUpload(request), deps.maxPixels);
      const { vector, attributes } = await embedQueryImage(lb.ctx, image, deps.maxPixels);
      return predictStyle(lb.ctx, { vector, attributes }, { column: request.query.column, top: request.query.top });
    },
  );

  app.get(
    '/api/models',
    {
      schema: {
        summary: 'Trained models (newest version of each), so clients know which features are available',
        tags: ['style'],
        response: {
          200: {
            type: 'object',
            properties: {
              models: {
                type: 'array',
                items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' }, version: { type: 'integer' }, createdAt: { type: 'number' }, metrics: { type: 'object', additionalProperties: true } } },
              },
            },
          },
        },
      },
    },
    async () => {
      const newest = new Map<string, Awaited<ReturnType<typeof lb.store.listModels>>[number]>();
      for (const m of await lb.store.listModels()) if ((newest.get(m.name)?.version ?? -1) < m.version) newest.set(m.name, m);
      return { models: [...newest.values()] };
    },
  );
}
