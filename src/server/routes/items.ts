/** Catalogue items: list with filters, read, create/update (with an optional image upload), delete, image and thumbnail. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LookbookError } from '../../errors.ts';
import { extractAttributes } from '../../attributes/index.ts';
import type { Item } from '../../types.ts';
import { badRequest } from '../errors.ts';
import { readUpload, requireImage } from '../uploads.ts';
import { ColourSchema, FilterQueryProperties, IdParams, ItemSchema, filterFromQuery, itemView, type FilterQuery } from '../schemas.ts';
import { THUMB_SIZES } from '../thumbs.ts';
import type { ServerDeps } from './index.ts';

export const ItemInput = z
  .object({
    id: z.string().min(1).max(512).regex(/^[^\s/\\?#]+$/, 'no spaces, slashes, ? or #'),
    title: z.string().max(1000).nullable().optional(),
    category: z.string().max(200).nullable().optional(),
    colour: z.string().max(200).nullable().optional(),
    gender: z.string().max(200).nullable().optional(),
    price: z.number().nonnegative().nullable().optional(),
    meta: z.record(z.string().max(200), z.string().max(2000)).optional(),
  })
  .strict();
type ItemInputT = z.infer<typeof ItemInput>;

/** A zod schema as a draft-07 JSON schema for fastify (same rules for JSON and multipart bodies). */
export function jsonSchemaOf(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-7' }) as Record<string, unknown>;
  return rest;
}

const ItemInputJson = jsonSchemaOf(ItemInput);

const EXT: Record<string, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', avif: 'avif', tiff: 'tiff', heif: 'heic' };
const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heic', '.bmp': 'image/bmp',
};

/** Multipart fields are strings: numbers and the meta object are parsed before the same validation. */
function fieldsToInput(fields: Record<string, string>): ItemInputT {
  const raw: Record<string, unknown> = { ...fields };
  if (typeof raw.price === 'string') raw.price = raw.price === '' ? null : Number(raw.price);
  if (typeof raw.meta === 'string') {
    try {
      raw.meta = JSON.parse(raw.meta as string);
    } catch {
      badRequest('field "meta" must be a JSON object of strings');
    }
  }
  const r = ItemInput.safeParse(raw);
  if (!r.success) badRequest(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

async function itemOr404(deps: ServerDeps, id: string): Promise<Item> {
  const item = await deps.lb.store.getItem(id);
  if (!item) throw new LookbookError('LB_ERR_NOT_FOUND', `no item with id "${id}"`, { subject: id });
  return item;
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: string, etag: string, type: string): FastifyReply {
  const tag = `"${etag}"`;
  reply.header('etag', tag).header('cache-control', 'public, max-age=300');
  if (request.headers['if-none-match'] === tag) return reply.status(304).send();
  return reply.type(type).send(fs.createReadStream(file));
}

export function itemRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb } = deps;

  app.get<{ Querystring: FilterQuery & { limit: number; offset: number } }>(
    '/api/items',
    {
      schema: {
        summary: 'List catalogue items with metadata filters and paging',
        tags: ['items'],
        querystring: {
          type: 'object',
          properties: {
            ...FilterQueryProperties,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 24 },
            offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, items: { type: 'array', items: ItemSchema } },
          },
        },
      },
    },
    async (request) => {
      const { limit, offset, ...q } = request.query;
      const filter = filterFromQuery(q);
      const [total, items] = await Promise.all([lb.store.countItems(filter), lb.store.listItems({ filter, limit, offset })]);
      return { total, limit, offset, items: items.map(itemView) };
    },
  );

  let facets: { at: number; value: Promise<Record<string, { value: string; count: number }[]>> } | undefined;
  app.get(
    '/api/facets',
    {
      schema: {
        summary: 'Distinct categories, genders and colours with counts (for filter menus; cached for a minute, first 20k items)',
        tags: ['items'],
        response: {
          200: {
            type: 'object',
            additionalProperties: { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } } },
          },
        },
      },
    },
    async () => {
      if (!facets || Date.now() - facets.at > 60_000) {
        const value = (async () => {
          const counts = { category: new Map<string, number>(), gender: new Map<string, number>(), colour: new Map<string, number>() };
          for (let offset = 0; offset < 20_000; offset += 2000) {
            const page = await lb.store.listItems({ limit: 2000, offset });
            for (const it of page) for (const k of ['category', 'gender', 'colour'] as const) if (it[k]) counts[k].set(it[k]!, (counts[k].get(it[k]!) ?? 0) + 1);
            if (page.length < 2000) break;
          }
          const list = (m: Map<string, number>) => [...m].map(([v, count]) => ({ value: v, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
          return { category: list(counts.category), gender: list(counts.gender), colour: list(counts.colour) };
        })();
        facets = { at: Date.now(), value };
        value.catch(() => (facets = undefined));
      }
      return facets.value;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/items/:id',
    {
      schema: {
        summary: 'One item with its detected colours and attributes',
        tags: ['items'],
        params: IdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              item: ItemSchema,
              attributes: {
                type: ['object', 'null'],
                properties: {
                  colours: { type: 'array', items: ColourSchema },
                  foreground: { type: 'number' },
                  pattern: { type: 'object', properties: { label: { type: 'string' }, scores: { type: 'object', additionalProperties: { type: 'number' } } } },
                },
              },
              hasFeatures: { type: 'boolean' },
            },
          },
        },
      },
    },
    async (request) => {
      const item = await itemOr404(deps, request.params.id);
      const f = item.contentHash ? await lb.store.getFeatures(item.contentHash, lb.ctx.backboneName) : undefined;
      const a = f?.attributes;
      return {
        item: itemView(item),
        attributes: a ? { colours: a.colours, foreground: a.foreground, ...(a.pattern ? { pattern: a.pattern } : {}) } : null,
        hasFeatures: Boolean(f),
      };
    },
  );

  app.post<{ Body: ItemInputT | undefined }>(
    '/api/items',
    {
      schema: {
        summary: 'Create or update an item (JSON metadata, or multipart fields plus an "image" file that is embedded and stored)',
        description: 'Fields not given keep their stored value. Multipart: the same fields as form fields (meta as a JSON string) and the image in field "image".',
        tags: ['items'],
        body: { content: { 'application/json': { schema: ItemInputJson } } },
        multipart: { type: 'object', properties: { ...(ItemInputJson.properties as object), image: { type: 'string', format: 'binary' } }, required: ['id'] },
        response: { 200: { type: 'object', properties: { created: { type: 'boolean' }, embedded: { type: 'boolean' }, item: ItemSchema } } },
      },
    },
    async (request, reply) => {
      let input: ItemInputT;
      let image: Buffer | undefined;
      let imageName = 'upload';
      if (request.isMultipart()) {
        const up = await readUpload(request);
        input = fieldsToInput(up.fields);
        if (up.file) {
          image = await requireImage(up, deps.maxPixels);
          imageName = up.file.filename || imageName;
        }
      } else {
        if (!request.body || typeof request.body !== 'object') badRequest('expected a JSON body or a multipart upload');
        input = request.body;
      }
      const before = await lb.store.getItem(input.id);
      const item: Item = {
        id: input.id,
        imagePath: before?.imagePath ?? null,
        contentHash: before?.contentHash ?? null,
        title: input.title !== undefined ? input.title : (before?.title ?? null),
        category: input.category !== undefined ? input.category : (before?.category ?? null),
        colour: input.colour !== undefined ? input.colour : (before?.colour ?? null),
        gender: input.gender !== undefined ? input.gender : (before?.gender ?? null),
        price: input.price !== undefined ? input.price : (before?.price ?? null),
        meta: input.meta ?? before?.meta ?? {},
      };
      let embedded = false;
      if (image) {
        const embedder = await lb.ctx.embedder();
        const { prepared, vector } = await embedder.embedImage(image, { maxPixels: deps.maxPixels, maxBytes: deps.maxUploadBytes, name: imageName });
        const dir = path.join(lb.config.dataDir, 'uploads');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${prepared.contentHash}.${EXT[prepared.format] ?? 'img'}`);
        if (!fs.existsSync(file)) {
          const tmp = `${file}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, image);
          fs.renameSync(tmp, file);
        }
        const have = await lb.store.hasFeatures([prepared.contentHash], lb.ctx.backboneName);
        if (!have.has(prepared.contentHash)) {
          await lb.store.putFeatures([{ contentHash: prepared.contentHash, backbone: lb.ctx.backboneName, vector, attributes: extractAttributes(prepared.raster) }]);
        }
        item.imagePath = file;
        item.contentHash = prepared.contentHash;
        embedded = true;
      }
      await lb.store.upsertItems([item]);
      facets = undefined;
      const saved = (await lb.store.getItem(item.id)) ?? item;
      return reply.status(before ? 200 : 201).send({ created: !before, embedded, item: itemView(saved) });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/items/:id',
    { schema: { summary: 'Remove an item (its cached features stay, keyed by image bytes)', tags: ['items'], params: IdParams } },
    async (request, reply) => {
      const n = await lb.store.deleteItems([request.params.id]);
      facets = undefined;
      if (n === 0) throw new LookbookError('LB_ERR_NOT_FOUND', `no item with id "${request.params.id}"`, { subject: request.params.id });
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/items/:id/image',
    { schema: { summary: 'The original image of an item', tags: ['items'], params: IdParams } },
    async (request, reply) => {
      const item = await itemOr404(deps, request.params.id);
      if (!item.imagePath || !item.contentHash || !fs.existsSync(item.imagePath)) {
        throw new LookbookError('LB_ERR_NOT_FOUND', `item "${item.id}" has no image`, { subject: item.id });
      }
      const type = MIME[path.extname(item.imagePath).toLowerCase()] ?? 'application/octet-stream';
      return sendFile(request, reply, item.imagePath, item.contentHash, type);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { size: number } }>(
    '/api/items/:id/thumb',
    {
      schema: {
        summary: 'A JPEG thumbnail of an item (generated once, cached under <dataDir>/thumbs)',
        tags: ['items'],
        params: IdParams,
        querystring: { type: 'object', properties: { size: { type: 'integer', enum: [...THUMB_SIZES], default: 256 } }, additionalProperties: false },
      },
    },
    async (request, reply) => {
      const item = await itemOr404(deps, request.params.id);
      if (!item.imagePath || !item.contentHash) throw new LookbookError('LB_ERR_NOT_FOUND', `item "${item.id}" has no image`, { subject: item.id });
      const file = await deps.thumbs.get(item.imagePath, item.contentHash, request.query.size);
      return sendFile(request, reply, file, `${item.contentHash}-${request.query.size}`, 'image/jpeg');
    },
  );
}
