/**
 * The route table: one module per resource. To add a resource, write routes/<name>.ts exporting
 * `(app, deps) => void` and add it here.
 */
import type { FastifyInstance } from 'fastify';
import type { Lookbook } from '../../lookbook.ts';
import type { JobManager } from '../jobs.ts';
import type { RequestMetrics } from '../metrics.ts';
import type { OpenApiCollector } from '../openapi.ts';
import type { ThumbnailCache } from '../thumbs.ts';
import { systemRoutes } from './system.ts';
import { itemRoutes } from './items.ts';
import { similarRoutes } from './similar.ts';
import { jobRoutes } from './jobs.ts';
import { webRoutes } from './web.ts';
import { styleRoutes } from './style.ts';
import { outfitRoutes } from './outfits.ts';
import { userRoutes } from './users.ts';

export interface ServerDeps {
  lb: Lookbook;
  jobs: JobManager;
  metrics: RequestMetrics;
  thumbs: ThumbnailCache;
  openapi: OpenApiCollector;
  apiKey?: string;
  maxUploadBytes: number;
  /** Largest accepted image (width × height) of an upload. */
  maxPixels: number;
  webDir: string;
  /** Worker number under `serve --workers n` (undefined: a single server process). */
  workerId?: number;
  /** Set when background jobs are refused (the reason, shown in the 409). */
  jobsDisabled?: string;
}

export type RouteModule = (app: FastifyInstance, deps: ServerDeps) => void | Promise<void>;

export const ROUTES: RouteModule[] = [systemRoutes, itemRoutes, similarRoutes, styleRoutes, outfitRoutes, userRoutes, jobRoutes, webRoutes];
