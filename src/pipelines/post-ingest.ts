/**
 * After an ingest changed the catalogue, keep derived data in step with it: re-project items into every
 * learned similarity space and re-run bulk style predictions for every trained head.
 */
import type { LookbookContext } from '../context.ts';
import { reasonOf } from '../errors.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { refreshLearnedSpace } from '../models/metric-space/from-store.ts';
import { predictAll } from './style.ts';

export interface PostIngestResult {
  spaces: { name: string; items: number }[];
  predictions: { column: string; items: number }[];
  problems: string[];
}

export async function afterIngest(ctx: LookbookContext, opts: { onProgress?: ProgressCallback } = {}): Promise<PostIngestResult> {
  const out: PostIngestResult = { spaces: [], predictions: [], problems: [] };
  const models = await ctx.store.listModels();
  for (const m of models) {
    if (m.meta.backbone !== undefined && m.meta.backbone !== ctx.backboneName) continue;
    try {
      if (m.kind === 'metric-space') {
        const name = m.name.replace(/^space:/, '');
        opts.onProgress?.({ status: 'step', step: `update learned space ${name}` });
        out.spaces.push({ name, items: await refreshLearnedSpace(ctx, name) });
      } else if (m.kind === 'classifier' && m.name.startsWith('style:')) {
        const column = m.name.slice('style:'.length);
        opts.onProgress?.({ status: 'step', step: `predict ${column} for all items` });
        out.predictions.push({ column, items: (await predictAll(ctx, column)).count });
      }
    } catch (e) {
      out.problems.push(`${m.name}: ${reasonOf(e)}`);
      opts.onProgress?.({ status: 'warn', task: 'after ingest', subject: m.name, message: reasonOf(e) });
    }
  }
  return out;
}
