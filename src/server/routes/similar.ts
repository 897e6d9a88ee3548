/** "More like this": by item id, or by an uploaded photo (which also reports its detected colours). */
import type { FastifyInstance } from 'fastify';
import type { SimilarAnswer } from '../../pipelines/similar.ts';
import { readUpload, requireImage } from '../uploads.ts';
import { FilterQueryProperties, IdParams, SimilarAnswerSchema, filterFromQuery, itemView, type FilterQuery } from '../schemas.ts';
import type { ServerDeps } from './index.ts';
import { styleOfUpload } from './style-hooks.ts';
import { embedQueryImage } from '../../pipelines/similar.ts';

type SimilarQueryString = FilterQuery & { k: number; space: string; exact?: boolean };

const SimilarQuerySchema = {
  type: 'object',
  properties: {
    ...FilterQueryProperties,
    k: { type: 'integer', minimum: 1, maximum: 200, default: 12 },
    space: { type: 'string', minLength: 1, maxLength: 100, default: 'auto', description: 'auto (learned space when trained), raw, or a learned space name' },
    exact: { type: 'boolean', description: 'brute-force search instead of the ANN index' },
  },
  additionalProperties: false,
} as const;

export function answerView(a: SimilarAnswer): Record<string, unknown> {
  return { ...a, results: a.results.map((r) => ({ ...r, item: itemView(r.item) })) };
}

export function similarRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb } = deps;

  app.get<{ Params: { id: string }; Querystring: SimilarQueryString }>(
    '/api/items/:id/similar',
    {
      schema: {
        summary: 'Visually similar items to a catalogue item (metadata filters apply)',
        tags: ['similar'],
        params: IdParams,
        querystring: SimilarQuerySchema,
        response: { 200: SimilarAnswerSchema },
      },
    },
    async (request) => {
      const { k, space, exact, ...q } = request.query;
      const answer = await lb.similar({ itemId: request.params.id }, { k, space, exact, filter: filterFromQuery(q) });
      return answerView(answer);
    },
  );

  app.post<{ Querystring: SimilarQueryString }>(
    '/api/similar',
    {
      config: { write: false },
      schema: {
        summary: 'Similar catalogue items to an uploaded photo, with its detected colours (and style when a style model exists)',
        description: 'multipart/form-data with the photo in field "image".',
        tags: ['similar'],
        querystring: SimilarQuerySchema,
        multipart: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, required: ['image'] },
        response: { 200: SimilarAnswerSchema },
      },
    },
    async (request) => {
      const { k, space, exact, ...q } = request.query;
      const filter = filterFromQuery(q);
      const image = await requireImage(await readUpload(request), deps.maxPixels);
      // One CNN pass serves both the similar items and the style of the photo.
      const embedded = await embedQueryImage(lb.ctx, image, deps.maxPixels);
      const answer = await lb.similar({ embedded }, { k, space, exact, filter });
      const style = await styleOfUpload(lb, embedded);
      return { ...answerView(answer), ...(style ? { style } : {}) };
    },
  );
}
