/**
 * API key check. When a key is configured, every write (any method but GET/HEAD/OPTIONS, unless the
 * route declares `config: { write: false }`, e.g. POST /api/similar which only reads) must carry it in
 * `x-api-key` or `Authorization: Bearer <key>`; otherwise 401 LB_ERR_UNAUTHORIZED.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LookbookError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: a POST that only reads (no key needed). */
    write?: boolean;
  }
}

function keyOf(request: FastifyRequest): string | undefined {
  const h = request.headers['x-api-key'];
  if (typeof h === 'string' && h) return h;
  const auth = request.headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return undefined;
}

function sameKey(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function isWrite(request: FastifyRequest): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return false;
  if (!request.routeOptions.url) return false; // unknown route: let it 404
  return request.routeOptions.config?.write !== false;
}

export function installAuth(app: FastifyInstance, apiKey: string | undefined): void {
  if (!apiKey) return;
  // onRequest runs before the body is read: an unauthorised upload is refused without buffering it.
  app.addHook('onRequest', async (request) => {
    if (!isWrite(request)) return;
    const given = keyOf(request);
    if (!given || !sameKey(given, apiKey)) {
      throw new LookbookError('LB_ERR_UNAUTHORIZED', given ? 'the API key is not valid' : 'this request needs an API key (x-api-key header or Authorization: Bearer)');
    }
  });
}
