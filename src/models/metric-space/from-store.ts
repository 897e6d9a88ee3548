/**
 * Store-level use of learned similarity spaces: train one on catalogue labels, project every item into it
 * (`learned:<name>` item vectors), register it (`space:<name>`, kind 'metric-space'), and resolve it for
 * similarity search (registered with src/pipelines/spaces.ts when this module is imported).
 */
import path from 'node:path';
import type { LookbookContext } from '../../context.ts';
import { LookbookError } from '../../errors.ts';
import type { ProgressCallback } from '../../logging/index.ts';
import { registerSpaceResolver, type ResolvedSpace } from '../../pipelines/spaces.ts';
import type { ModelRecord } from '../../types.ts';
import { loadFeatureSet, type FeatureSet } from '../classifier/dataset.ts';
import { availableColumns, labelOf, planLabels } from '../classifier/labels.ts';
import { modelRelPath } from '../classifier/persist.ts';
import { gatherRows } from '../classifier/random.ts';
import { MetricSpace, type MetricSpaceOptions } from './metric-space.ts';

export const spaceModelName = (name: string) => `space:${name}`;
export const learnedSpace = (name: string) => `learned:${name}`;

export interface TrainSpaceOptions extends MetricSpaceOptions {
  /** Space name (default 'default'). */
  name?: string;
  /** Primary label column (default articleType). */
  column?: string;
  /** Secondary label column, e.g. baseColour; null = none (default: none). */
  secondaryColumn?: string | null;
  /** Classes with fewer examples are left out of the loss (default 5). */
  minCount?: number;
  /** Train on these items only (evaluations: the training split). Every item is still projected. */
  itemIds?: string[];
  register?: boolean;
  features?: FeatureSet;
  onProgress?: ProgressCallback;
}

export interface TrainSpaceResult {
  space: MetricSpace;
  record?: ModelRecord;
  /** Item-vector space the projections were stored under. */
  vectorsSpace?: string;
  projected: number;
}

export async function trainSimilaritySpace(ctx: LookbookContext, opts: TrainSpaceOptions = {}): Promise<TrainSpaceResult> {
  const name = opts.name ?? 'default';
  const column = opts.column ?? 'articleType';
  const all = opts.features ?? (await loadFeatureSet(ctx.store, ctx.backboneName));
  if (all.items.length === 0) throw new LookbookError('LB_ERR_NO_FEATURES', `no items have ${ctx.backboneName} features yet: ingest the catalogue first`);
  const trainRows = opts.itemIds ? rowsOf(all, opts.itemIds) : all.ids.map((_, i) => i);
  const items = trainRows.map((r) => all.items[r]!);
  const available = availableColumns(items);
  const encode = (col: string) => {
    const values = items.map((it) => labelOf(it, col));
    if (!values.some((v) => v !== undefined)) {
      throw new LookbookError('LB_ERR_LABEL_COLUMN', `Unknown label column "${col}"; available columns: ${available.join(', ')}`, {
        subject: col,
        details: { column: col, available },
      });
    }
    const plan = planLabels(col, values, available, { minCount: opts.minCount ?? 5, rare: 'exclude' });
    return { plan, y: Int32Array.from(values, (v) => plan.classOf(v)) };
  };
  const primary = encode(column);
  const secondary = opts.secondaryColumn ? encode(opts.secondaryColumn) : undefined;
  const space = await MetricSpace.fit(
    {
      x: gatherRows(all.vectors, all.dim, trainRows),
      inputDim: all.dim,
      labels: primary.y,
      classes: primary.plan.classes,
      labelColumn: column,
      secondary: secondary?.y,
      secondaryClasses: secondary?.plan.classes,
      secondaryColumn: opts.secondaryColumn ?? undefined,
      backbone: ctx.backboneName,
    },
    { task: `train ${spaceModelName(name)}`, ...opts },
  );
  const result: TrainSpaceResult = { space, projected: 0 };
  if (opts.register !== false) {
    const modelName = spaceModelName(name);
    const version = ((await ctx.store.getModel(modelName))?.version ?? 0) + 1;
    const rel = modelRelPath(modelName, version);
    space.save(path.join(ctx.config.dataDir, rel));
    const projected = await space.project(all.vectors);
    const vs = learnedSpace(name);
    await ctx.store.putItemVectors(vs, all.ids, projected, space.meta.dim);
    result.record = await ctx.store.putModel({
      name: modelName,
      kind: 'metric-space',
      path: rel,
      metrics: space.meta.metrics,
      meta: { backbone: ctx.backboneName, column, secondaryColumn: opts.secondaryColumn ?? null, dim: space.meta.dim, vectors: vs, trainingSize: trainRows.length },
    });
    result.vectorsSpace = vs;
    result.projected = all.ids.length;
  }
  return result;
}

/**
 * Re-projects items into a registered learned space (all items, or the given ids, e.g. after an ingest
 * added new items). Returns how many were written.
 */
export async function refreshLearnedSpace(ctx: LookbookContext, name = 'default', itemIds?: string[]): Promise<number> {
  const record = await ctx.store.getModel(spaceModelName(name));
  if (!record) throw new LookbookError('LB_ERR_MODEL_MISSING', `no learned space "${name}" (train one with: lookbook train similarity)`);
  const space = loadSpace(ctx, record);
  const set = await loadFeatureSet(ctx.store, ctx.backboneName, { itemIds });
  if (set.ids.length === 0) return 0;
  await ctx.store.putItemVectors(learnedSpace(name), set.ids, await space.project(set.vectors), space.meta.dim);
  return set.ids.length;
}

function rowsOf(set: FeatureSet, ids: string[]): number[] {
  const index = new Map(set.ids.map((id, i) => [id, i]));
  return ids.map((id) => index.get(id)).filter((r): r is number => r !== undefined);
}

const cache = new Map<string, MetricSpace>();
function loadSpace(ctx: LookbookContext, record: ModelRecord): MetricSpace {
  const dir = path.resolve(ctx.config.dataDir, record.path);
  let s = cache.get(dir);
  if (!s) {
    s = MetricSpace.load(dir);
    cache.set(dir, s);
  }
  return s;
}

/**
 * Resolves 'auto' (the 'default' learned space, else the newest one for the context's backbone),
 * '<name>', 'space:<name>' or 'learned:<name>' to a learned space with a synchronous query projection.
 */
export async function resolveLearnedSpace(ctx: LookbookContext, requested: string): Promise<ResolvedSpace | undefined> {
  let record: ModelRecord | undefined;
  if (requested === 'auto') {
    record = await ctx.store.getModel(spaceModelName('default'));
    if (!record || record.meta.backbone !== ctx.backboneName) {
      const spaces = (await ctx.store.listModels()).filter((m) => m.kind === 'metric-space' && m.meta.backbone === ctx.backboneName);
      record = spaces.sort((a, b) => b.createdAt - a.createdAt)[0];
      if (record) record = await ctx.store.getModel(record.name);
    }
  } else {
    const bare = requested.replace(/^(space|learned):/, '');
    record = await ctx.store.getModel(spaceModelName(bare));
  }
  if (!record || record.kind !== 'metric-space' || record.meta.backbone !== ctx.backboneName) return undefined;
  const space = loadSpace(ctx, record);
  return { name: learnedSpace(record.name.replace(/^space:/, '')), project: (raw) => space.projectOne(raw) };
}

registerSpaceResolver(resolveLearnedSpace);
