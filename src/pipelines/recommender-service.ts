/**
 * The recommender as a service over a LookbookContext: train from the store's events (and CNN
 * features for visual models), save as `<dataDir>/models/recommender/v<N>/` registered under the
 * model name `recommender`, load the newest version (cached in memory by path), and answer
 * recommendation queries with items enriched for display. CLI, HTTP and library call these.
 */
import path from 'node:path';
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import { InteractionData } from '../events/interactions.ts';
import type { EventWeights } from '../events/weights.ts';
import type { ProgressCallback } from '../logging/index.ts';
import type { HybridRecommender } from '../models/hybrid/model.ts';
import { createRecommender, MODELS, Recommender, type FitOptions, type ItemFeatures } from '../models/recommender.ts';
import type { Item, ModelRecord } from '../types.ts';
import { recommendForUser, type Recommendation, type RecommendOptions } from './recommend.ts';

export const RECOMMENDER_MODEL_NAME = 'recommender';
/** Models that need CNN features. */
const VISUAL_MODELS = new Set(['vbpr']);

export interface TrainRecommenderOptions {
  /** Registered model name (popularity, item-knn, bpr, vbpr, hybrid). Default 'hybrid'. */
  model?: string;
  /** Model configuration (overrides the defaults chosen here). */
  config?: Record<string, unknown>;
  /** Event weights per kind / rating mapping. */
  weights?: Partial<EventWeights>;
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface TrainRecommenderResult {
  record: ModelRecord;
  model: Recommender;
}

/** Default configuration per model for store-trained recommenders (recency matters for shops). */
function defaultConfig(model: string, visual: boolean): Record<string, unknown> {
  switch (model) {
    case 'popularity':
      return { halfLifeDays: 30 };
    case 'bpr':
      return { epochs: 20, halfLifeDays: 60 };
    case 'vbpr':
      return { epochs: 15 };
    case 'hybrid':
      return {
        components: [
          { name: 'popularity', config: { halfLifeDays: 30 } },
          { name: 'item-knn' },
          visual ? { name: 'vbpr', config: { epochs: 15 } } : { name: 'bpr', config: { epochs: 20, halfLifeDays: 60 } },
        ],
        shortlistSizes: [100, 200, 400],
        validationWindows: 2,
      };
    default:
      return {};
  }
}

/** Fits a recommender on every event in the store and registers it as a new `recommender` version. */
export async function trainRecommender(ctx: LookbookContext, opts: TrainRecommenderOptions = {}): Promise<TrainRecommenderResult> {
  const name = opts.model ?? 'hybrid';
  if (!MODELS[name]) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unknown recommender "${name}" (known: ${Object.keys(MODELS).join(', ')})`);
  const progress = opts.onProgress ?? (() => {});
  const t0 = performance.now();
  progress({ status: 'step', step: 'reading events' });
  const events = await ctx.store.listEvents();
  if (events.length === 0) {
    throw new LookbookError('LB_ERR_CONFLICT', 'the store has no events to train on: import some first (lookbook events import <file.csv> --user <col> --item <col>)');
  }
  const catalogue = [...(await ctx.store.itemHashes()).keys()];
  const itemIds = [...new Set([...catalogue, ...events.map((e) => e.itemId)])].sort();

  // visual models (and the hybrid when features exist) read the backbone's CNN features
  let features: ItemFeatures | undefined;
  const componentNames = name === 'hybrid' ? ['vbpr'] : [name];
  if (componentNames.some((m) => VISUAL_MODELS.has(m))) {
    progress({ status: 'step', step: 'reading CNN features', message: ctx.backboneName });
    const f = await ctx.store.allItemVectors(ctx.backboneName);
    if (f.ids.length > 0) features = f;
    else if (VISUAL_MODELS.has(name)) {
      throw new LookbookError('LB_ERR_NO_FEATURES', `${name} needs CNN features of backbone ${ctx.backboneName}: run lookbook ingest first`);
    }
  }
  const config = opts.config ?? (name === 'hybrid' ? defaultConfig(name, features !== undefined) : defaultConfig(name, true));
  const hybridUsesVisual = name === 'hybrid' && JSON.stringify(config.components ?? []).includes('"vbpr"');
  if (name === 'hybrid' && hybridUsesVisual && !features) throw new LookbookError('LB_ERR_NO_FEATURES', `the hybrid's vbpr component needs CNN features of backbone ${ctx.backboneName}`);

  const train = InteractionData.fromEvents(events, { itemIds, weights: opts.weights });
  if (train.nnz === 0) throw new LookbookError('LB_ERR_CONFLICT', `none of the ${events.length} events is a positive signal under the event weights`);
  progress({ status: 'step', step: `training ${name}`, message: `${train.nUsers} users, ${train.nItems} items, ${train.nnz} user-item pairs` });

  const started = new Map<string, number>();
  const onEpoch: FitOptions['onEpoch'] = (e) => {
    const task = `train ${e.model}`;
    if (e.epoch === 1) {
      started.set(task, performance.now());
      progress({ status: 'start', task, total: e.epochs, unit: 'epochs' });
    }
    progress({ status: 'progress', task, done: e.epoch, total: e.epochs, message: `loss ${e.loss.toFixed(4)}` });
    if (e.epoch === e.epochs) progress({ status: 'done', task, done: e.epoch, total: e.epochs, seconds: (performance.now() - (started.get(task) ?? performance.now())) / 1000 });
  };
  const model = await (await createRecommender(name, config)).fit(train, { seed: opts.seed ?? 42, itemFeatures: features, onEpoch });
  const trainSeconds = (performance.now() - t0) / 1000;

  const version = ((await ctx.store.getModel(RECOMMENDER_MODEL_NAME))?.version ?? 0) + 1;
  const rel = path.join('models', 'recommender', `v${version}`);
  progress({ status: 'step', step: 'saving', message: rel });
  await model.save(path.join(ctx.config.dataDir, rel));
  const metrics: Record<string, unknown> = { trainSeconds: Math.round(trainSeconds * 10) / 10 };
  if (name === 'hybrid') {
    const h = model as HybridRecommender;
    const best = h.tuning.reduce<{ recall20: number } | undefined>((b, t) => (!b || t.recall20 > b.recall20 ? t : b), undefined);
    metrics.weights = h.weights;
    metrics.shortlist = h.shortlistSize;
    if (best) metrics.validationRecall20 = best.recall20;
  }
  const record = await ctx.store.putModel({
    name: RECOMMENDER_MODEL_NAME,
    kind: 'recommender',
    path: rel,
    metrics,
    meta: {
      model: name,
      backbone: features ? ctx.backboneName : null,
      users: train.nUsers,
      items: train.nItems,
      events: events.length,
      pairs: train.nnz,
      weights: opts.weights ?? null,
    },
  });
  return { record, model };
}

const loaded = new Map<string, Promise<Recommender>>();

/** The newest trained recommender (cached in memory by its path). */
export async function loadRecommender(ctx: LookbookContext): Promise<{ model: Recommender; record: ModelRecord }> {
  const record = await ctx.store.getModel(RECOMMENDER_MODEL_NAME);
  if (!record) throw new LookbookError('LB_ERR_MODEL_MISSING', 'no recommender is trained yet: run `lookbook train recommender` (after `lookbook events import`)');
  const dir = path.resolve(ctx.config.dataDir, record.path);
  let p = loaded.get(dir);
  if (!p) {
    if (loaded.size >= 4) loaded.clear();
    p = Recommender.load(dir);
    loaded.set(dir, p);
    p.catch(() => loaded.delete(dir));
  }
  return { model: await p, record };
}

export type RecommendQuery = { userId: string; likedItemIds?: string[] } | { likedItemIds: string[] } | { styleVector: Float32Array };

export interface RecommendedItem extends Recommendation {
  /** The catalogue item (null when the id is only known from events). */
  item: Item | null;
}

export interface RecommendAnswer {
  query: { userId?: string; likedItemIds?: string[]; styleVector?: true; servedAs: 'known-user' | 'recorded-events' | 'liked-items' | 'style-vector' };
  model: { name: string; version: number; model: string };
  results: RecommendedItem[];
}

/**
 * Recommendations for a user id (known to the model, or unknown but with events recorded since
 * training: served as a "liked items" profile), for liked items, or for a style vector.
 * An unknown user with no usable events and no liked items → LB_ERR_NOT_FOUND.
 */
export async function recommend(ctx: LookbookContext, query: RecommendQuery, opts: RecommendOptions = {}): Promise<RecommendAnswer> {
  const { model, record } = await loadRecommender(ctx);
  const rctx = { store: ctx.store, model, backbone: ctx.backboneName, weights: (record.meta.weights as Partial<EventWeights> | null) ?? undefined };
  let results: Recommendation[];
  let servedAs: RecommendAnswer['query']['servedAs'];
  const q: RecommendAnswer['query'] = { servedAs: 'known-user' };
  if ('styleVector' in query) {
    q.styleVector = true;
    servedAs = 'style-vector';
    results = await recommendForUser(rctx, { styleVector: query.styleVector }, opts);
  } else if ('userId' in query && query.userId !== undefined) {
    q.userId = query.userId;
    if (model.data.userIndex.has(query.userId)) {
      servedAs = 'known-user';
      results = await recommendForUser(rctx, query.userId, opts);
    } else {
      try {
        servedAs = 'recorded-events';
        results = await recommendForUser(rctx, query.userId, opts);
      } catch (e) {
        if (!(e instanceof LookbookError && e.code === 'LB_ERR_NOT_FOUND' && query.likedItemIds?.length)) throw e;
        servedAs = 'liked-items';
        q.likedItemIds = query.likedItemIds;
        results = await recommendForUser(rctx, { likedItemIds: query.likedItemIds }, opts);
      }
    }
  } else {
    q.likedItemIds = query.likedItemIds;
    servedAs = 'liked-items';
    results = await recommendForUser(rctx, { likedItemIds: query.likedItemIds ?? [] }, opts);
  }
  q.servedAs = servedAs;
  const items = new Map((await ctx.store.getItems(results.map((r) => r.itemId))).map((it) => [it.id, it]));
  return {
    query: q,
    model: { name: record.name, version: record.version, model: String(record.meta.model ?? model.modelName) },
    results: results.map((r) => ({ ...r, item: items.get(r.itemId) ?? null })),
  };
}
