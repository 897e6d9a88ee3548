/**
 * Training jobs the server can run in the background (POST /api/jobs/train). One entry per kind:
 * a JSON schema for its options and a runner calling the same library function as `lookbook train`.
 * To add a kind, add an entry here (and a test in jobs.test.ts).
 */
import type { LookbookContext } from '../context.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { predictAll, trainClassifier } from '../pipelines/style.ts';
import { trainCompatibilityFromStore } from '../models/compatibility/registry.ts';
import { trainRecommender } from '../pipelines/recommender-service.ts';

export interface Trainer {
  summary: string;
  /** JSON schema of the options object (validated before the job is queued). */
  options: Record<string, unknown>;
  run(ctx: LookbookContext, options: Record<string, unknown>, progress: { onProgress: ProgressCallback; signal: AbortSignal }): Promise<unknown>;
}

const label = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' } as const;

export const TRAINERS: Record<string, Trainer> = {
  style: {
    summary: 'A style (or any label column) classifier head on frozen CNN features; then predicts every item',
    options: {
      type: 'object',
      properties: {
        column: { ...label, default: 'usage' },
        hidden: { type: 'integer', minimum: 0, maximum: 4096 },
        maxEpochs: { type: 'integer', minimum: 1, maximum: 500 },
        seed: { type: 'integer' },
      },
      additionalProperties: false,
    },
    async run(ctx, o, { onProgress }) {
      const column = (o.column as string | undefined) ?? 'usage';
      onProgress({ status: 'step', step: `train style:${column}` });
      const r = await trainClassifier(ctx, {
        column,
        hidden: o.hidden as number | undefined,
        maxEpochs: o.maxEpochs as number | undefined,
        seed: o.seed as number | undefined,
        onProgress,
      });
      onProgress({ status: 'step', step: 'predict every item' });
      const all = await predictAll(ctx, column, { onProgress });
      return {
        model: r.record ? { name: r.record.name, version: r.record.version, metrics: r.record.metrics } : undefined,
        classes: r.classes,
        counts: r.counts,
        skipped: r.skipped,
        distribution: all.distribution,
      };
    },
  },
  compatibility: {
    summary: 'The outfit compatibility model (needs imported outfits); enables outfit scoring and complete-the-look',
    options: {
      type: 'object',
      properties: {
        categoryColumn: { ...label, default: 'category' },
        histogramWeight: { type: 'number', minimum: 0, maximum: 10 },
        maxSteps: { type: 'integer', minimum: 1, maximum: 100000 },
        seed: { type: 'integer' },
      },
      additionalProperties: false,
    },
    async run(ctx, o, { onProgress }) {
      onProgress({ status: 'step', step: 'train compatibility' });
      const r = await trainCompatibilityFromStore(ctx.store, {
        dataDir: ctx.config.dataDir,
        backbone: ctx.backboneName,
        categoryColumn: (o.categoryColumn as string | undefined) ?? 'category',
        histogramWeight: o.histogramWeight as number | undefined,
        maxSteps: o.maxSteps as number | undefined,
        seed: o.seed as number | undefined,
        onProgress: (e) =>
          onProgress({
            status: 'progress',
            task: 'compatibility',
            done: e.step,
            total: (o.maxSteps as number | undefined) ?? 0,
            message: `loss ${e.loss.toFixed(4)}${e.valFitb !== undefined ? `, validation FITB ${(e.valFitb * 100).toFixed(1)}%` : ''}`,
          }),
      });
      return { model: { name: r.record.name, version: r.record.version, metrics: r.record.metrics }, seconds: r.seconds };
    },
  },
  recommender: {
    summary: 'A personalization model on the stored events (popularity, item-knn, bpr, vbpr or hybrid); enables per-user recommendations',
    options: {
      type: 'object',
      properties: { model: { type: 'string', enum: ['popularity', 'item-knn', 'bpr', 'vbpr', 'hybrid'], default: 'hybrid' }, seed: { type: 'integer' } },
      additionalProperties: false,
    },
    async run(ctx, o, { onProgress }) {
      const r = await trainRecommender(ctx, { model: o.model as string | undefined, seed: o.seed as number | undefined, onProgress });
      return { model: r.record.meta.model, version: r.record.version, metrics: r.record.metrics, meta: r.record.meta };
    },
  },
};
