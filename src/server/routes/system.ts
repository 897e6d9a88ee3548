/** Health, metrics, the OpenAPI document and the human docs page. */
import type { FastifyInstance } from 'fastify';
import { VERSION_INFO } from '../version.ts';
import { docsPage } from '../openapi.ts';
import type { ServerDeps } from './index.ts';

const COUNTS_TTL_MS = 10_000;

export function systemRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb, metrics, jobs } = deps;
  let counts: { at: number; value: Record<string, number> } | undefined;
  const catalogueCounts = async () => {
    if (counts && Date.now() - counts.at < COUNTS_TTL_MS) return counts.value;
    const [items, models, outfits, events] = await Promise.all([
      lb.store.countItems(),
      lb.store.listModels().then((m) => m.length),
      lb.store.listOutfits().then((o) => o.length),
      lb.store.listEvents().then((e) => e.length),
    ]);
    counts = { at: Date.now(), value: { items, models, outfits, events } };
    return counts.value;
  };

  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and store check',
        tags: ['system'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, version: { type: 'string' }, store: { type: 'string' }, backbone: { type: 'string' }, items: { type: 'number' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', version: VERSION_INFO.version, store: lb.store.kind, backbone: lb.ctx.backboneName, items: await lb.store.countItems() }),
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Catalogue counts, request totals and a latency summary of recent requests',
        tags: ['system'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => {
      const all = jobs.list();
      return {
        uptimeSeconds: Math.round((Date.now() - metrics.startedAt) / 1000),
        process: { pid: process.pid, ...(deps.workerId !== undefined ? { worker: deps.workerId } : {}) },
        counts: await catalogueCounts(),
        requests: { total: metrics.total, byStatus: metrics.byStatus, byRoute: metrics.byRoute },
        latency: metrics.latency(),
        jobs: { total: all.length, running: all.filter((j) => j.state === 'running').length, queued: all.filter((j) => j.state === 'queued').length },
        memory: { rssBytes: process.memoryUsage().rss },
      };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () =>
    deps.openapi.document({ title: 'Lookbook', version: VERSION_INFO.version, apiKey: Boolean(deps.apiKey) }),
  );
  app.get('/docs', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(docsPage(deps.openapi, { apiKey: Boolean(deps.apiKey) })),
  );
}
