/** Background jobs: ingest a catalogue and train models, with status and progress. */
import type { FastifyInstance } from 'fastify';
import { LookbookError } from '../../errors.ts';
import { JobSchema } from '../schemas.ts';
import { TRAINERS } from '../trainers.ts';
import type { ServerDeps } from './index.ts';

interface IngestBody {
  metadata: string;
  imagesDir?: string;
  limit?: number;
  prune?: boolean;
}

export function jobRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { lb, jobs } = deps;
  const accepted = { 202: { type: 'object', properties: { job: JobSchema } } };
  const refuseWhenDisabled = () => {
    if (deps.jobsDisabled) throw new LookbookError('LB_ERR_CONFLICT', deps.jobsDisabled);
  };

  app.post<{ Body: IngestBody }>(
    '/api/ingest',
    {
      schema: {
        summary: 'Ingest a catalogue file on the server (background job; the API keeps answering meanwhile)',
        description: 'Paths are on the server. Ingest jobs run one at a time.',
        tags: ['jobs'],
        body: {
          type: 'object',
          properties: {
            metadata: { type: 'string', minLength: 1, maxLength: 4096 },
            imagesDir: { type: 'string', minLength: 1, maxLength: 4096 },
            limit: { type: 'integer', minimum: 1 },
            prune: { type: 'boolean' },
          },
          required: ['metadata'],
          additionalProperties: false,
        },
        response: accepted,
      },
    },
    async (request, reply) => {
      refuseWhenDisabled();
      const b = request.body;
      const job = jobs.submit('ingest', { ...b }, ({ onProgress, signal }) =>
        lb.ingest({ metadata: b.metadata, imagesDir: b.imagesDir, limit: b.limit, prune: b.prune, onProgress, signal }),
      );
      return reply.status(202).header('location', `/api/jobs/${job.id}`).send({ job });
    },
  );

  app.post<{ Body: { kind: string; options?: Record<string, unknown> } }>(
    '/api/jobs/train',
    {
      schema: {
        summary: 'Train a model in the background (jobs of the same kind run one at a time)',
        description: `kinds: ${Object.entries(TRAINERS).map(([k, t]) => `${k} — ${t.summary}`).join('; ')}`,
        tags: ['jobs'],
        body: {
          type: 'object',
          properties: { kind: { type: 'string', enum: Object.keys(TRAINERS) }, options: { type: 'object' } },
          required: ['kind'],
          additionalProperties: false,
          // Each kind's options are checked against that trainer's own schema.
          allOf: Object.entries(TRAINERS).map(([k, t]) => ({ if: { properties: { kind: { const: k } } }, then: { properties: { options: t.options } } })),
        },
        response: accepted,
      },
    },
    async (request, reply) => {
      refuseWhenDisabled();
      const { kind, options = {} } = request.body;
      const trainer = TRAINERS[kind]!;
      const job = jobs.submit(`train:${kind}`, { kind, options }, ({ onProgress, signal }) => trainer.run(lb.ctx, options, { onProgress, signal }));
      return reply.status(202).header('location', `/api/jobs/${job.id}`).send({ job });
    },
  );

  app.get(
    '/api/jobs',
    { schema: { summary: 'Recent jobs, newest first', tags: ['jobs'], response: { 200: { type: 'object', properties: { jobs: { type: 'array', items: JobSchema } } } } } },
    async () => ({ jobs: jobs.list() }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Status and progress of a job',
        tags: ['jobs'],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] },
        response: { 200: { type: 'object', properties: { job: JobSchema } } },
      },
    },
    async (request) => {
      const job = jobs.get(request.params.id);
      if (!job) throw new LookbookError('LB_ERR_NOT_FOUND', `no job with id "${request.params.id}"`, { subject: request.params.id });
      return { job };
    },
  );
}
