/**
 * Training and loading the personalization model the server answers with: fitted on every stored event,
 * saved under <dataDir>/models/recommender/v<N>/ and registered as model "recommender".
 * (Used by POST /api/jobs/train {"kind":"recommender"} and GET /api/users/:id/recommendations.)
 */
import path from 'node:path';
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import { InteractionData } from '../events/interactions.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { createRecommender, Recommender } from '../models/recommender.ts';

export const RECOMMENDER_MODEL = 'recommender';

export async function trainRecommender(
  ctx: LookbookContext,
  opts: { model: string; seed?: number; onProgress?: ProgressCallback },
): Promise<{ model: string; version: number; users: number; items: number; events: number }> {
  const { store } = ctx;
  const progress = opts.onProgress ?? (() => {});
  progress({ status: 'step', step: 'read events' });
  const events = await store.listEvents();
  if (events.length === 0) throw new LookbookError('LB_ERR_DATA_MISSING', 'no events in the store: record or import interactions first');
  const itemIds = [...(await store.itemHashes()).keys()];
  const data = InteractionData.fromEvents(events, { itemIds });
  const model = await createRecommender(opts.model);
  progress({ status: 'step', step: `fit ${opts.model}` });
  const needsFeatures = opts.model === 'vbpr' || opts.model === 'hybrid';
  await model.fit(data, {
    seed: opts.seed,
    itemFeatures: needsFeatures ? await store.allItemVectors(ctx.backboneName) : undefined,
    onEpoch: (e) => progress({ status: 'progress', task: e.model, done: e.epoch, total: e.epochs, message: `loss ${e.loss.toFixed(4)}` }),
  });
  const version = ((await store.getModel(RECOMMENDER_MODEL))?.version ?? 0) + 1;
  const rel = path.join('models', RECOMMENDER_MODEL, `v${version}`);
  await model.save(path.join(ctx.config.dataDir, rel));
  const record = await store.putModel({
    name: RECOMMENDER_MODEL,
    kind: 'recommender',
    path: rel,
    metrics: {},
    meta: { model: opts.model, users: data.nUsers, items: data.nItems, events: events.length, backbone: ctx.backboneName },
  });
  return { model: opts.model, version: record.version, users: data.nUsers, items: data.nItems, events: events.length };
}

const cache = new Map<string, Promise<Recommender>>();

/** The newest registered recommender, or undefined when none is trained. */
export async function loadRecommender(ctx: LookbookContext): Promise<Recommender | undefined> {
  const record = await ctx.store.getModel(RECOMMENDER_MODEL);
  if (!record) return undefined;
  const dir = path.resolve(ctx.config.dataDir, record.path);
  let p = cache.get(dir);
  if (!p) {
    p = Recommender.load(dir);
    cache.set(dir, p);
    p.catch(() => cache.delete(dir));
  }
  return p;
}
