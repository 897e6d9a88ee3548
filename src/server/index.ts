/**
 * The HTTP server: `buildApp(lb)` (in-process, for tests with app.inject) and `startServer(lb, {host, port})`.
 * Routes live in routes/<resource>.ts and call the same pipeline functions as the CLI and the library.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { Lookbook } from '../lookbook.ts';
import { installAuth } from './auth.ts';
import { installErrorHandlers } from './errors.ts';
import { JobManager } from './jobs.ts';
import { RequestMetrics } from './metrics.ts';
import { OpenApiCollector } from './openapi.ts';
import { ThumbnailCache } from './thumbs.ts';
import { ROUTES, type ServerDeps } from './routes/index.ts';

export interface ServerOptions {
  /** Required for writes when set (default: config apiKey / LOOKBOOK_API_KEY). */
  apiKey?: string;
  /** Largest accepted upload in bytes (default: min(config maxImageBytes, 10 MB)). */
  maxUploadBytes?: number;
  /** Largest accepted uploaded image in pixels (default: config maxPixels, the image decoder's limit). */
  maxPixels?: number;
  /** Largest accepted JSON body in bytes (default 1 MB). */
  bodyLimit?: number;
  /** Directory of the web page (default src/web beside this module). */
  webDir?: string;
  /** Fastify request logging (default false; errors are logged through the Lookbook logger). */
  logRequests?: boolean;
  /**
   * Set by `lookbook serve --workers n` (n > 1): this process's worker number, sent in the
   * `x-lookbook-worker` header of every response and shown in /metrics.
   */
  workerId?: number;
  /**
   * Why background jobs (POST /api/ingest, /api/jobs/train) are refused (409 LB_ERR_CONFLICT), e.g.
   * several server processes share the data directory and job state lives in one process's memory.
   */
  jobsDisabled?: string;
}

export type { ServerDeps } from './routes/index.ts';

const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');

declare module 'fastify' {
  interface FastifyInstance {
    lookbook: ServerDeps;
  }
}

export async function buildApp(lb: Lookbook, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const config = lb.config;
  const apiKey = opts.apiKey ?? config.apiKey;
  const maxUploadBytes = opts.maxUploadBytes ?? Math.min(config.maxImageBytes, 10 * 1024 * 1024);
  const app = Fastify({
    logger: opts.logRequests ? { level: 'info' } : false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Keep-alive connections must not hold up close().
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });
  const deps: ServerDeps = {
    lb,
    jobs: new JobManager(lb.ctx.logger),
    metrics: new RequestMetrics(),
    thumbs: new ThumbnailCache(config.dataDir, config.maxPixels),
    openapi: new OpenApiCollector(),
    apiKey,
    maxUploadBytes,
    maxPixels: Math.min(opts.maxPixels ?? config.maxPixels, config.maxPixels),
    webDir: opts.webDir ?? DEFAULT_WEB_DIR,
    workerId: opts.workerId,
    jobsDisabled: opts.jobsDisabled,
  };
  app.decorate('lookbook', deps);
  // JSON or multipart only: a text/plain body is refused (415 → 400) instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  deps.openapi.install(app);
  deps.metrics.install(app);
  installErrorHandlers(app);
  installAuth(app, apiKey);
  if (opts.workerId !== undefined) {
    const worker = String(opts.workerId);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('x-lookbook-worker', worker);
      done();
    });
  }
  await app.register(multipart, {
    limits: { fileSize: maxUploadBytes, files: 1, fields: 40, fieldSize: 64 * 1024, parts: 50 },
    throwFileSizeLimit: true,
  });
  for (const register of ROUTES) await app.register(async (scope) => register(scope, deps));
  app.addHook('onClose', async () => {
    await deps.jobs.close();
  });
  await app.ready();
  return app;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Starts listening. close() stops the server and its jobs; the Lookbook itself stays open (the caller owns it). */
export async function startServer(lb: Lookbook, opts: { host?: string; port?: number } & ServerOptions = {}): Promise<RunningServer> {
  const app = await buildApp(lb, opts);
  const host = opts.host ?? lb.config.host;
  await app.listen({ host, port: opts.port ?? lb.config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    app,
    close: () => (closed ??= app.close()),
  };
}
