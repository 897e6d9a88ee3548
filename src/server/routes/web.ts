/** The web page: src/web/index.html at / and its files under /assets/ (no bundler, no CDN). */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LookbookError } from '../../errors.ts';
import type { ServerDeps } from './index.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function serve(request: FastifyRequest, reply: FastifyReply, root: string, rel: string): FastifyReply {
  const file = path.resolve(root, rel);
  const type = TYPES[path.extname(file).toLowerCase()];
  if (!file.startsWith(root + path.sep) || !type || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new LookbookError('LB_ERR_NOT_FOUND', `no file ${rel}`);
  }
  const st = fs.statSync(file);
  const tag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
  reply.header('etag', tag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === tag) return reply.status(304).send();
  return reply.type(type).send(fs.readFileSync(file));
}

export function webRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const root = path.resolve(deps.webDir);
  app.get('/', { schema: { hide: true } }, async (request, reply) => serve(request, reply, root, 'index.html'));
  app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, async (request, reply) => serve(request, reply, root, request.params['*']));
  app.get('/favicon.ico', { schema: { hide: true } }, async (request, reply) => serve(request, reply, root, 'favicon.svg').type('image/svg+xml'));
}
