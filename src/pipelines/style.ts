/**
 * Style analysis use cases: train a categorical head for any label column (usage/style, articleType,
 * season, …) on frozen CNN features (+ colour histogram), predict the style of an item or a new vector,
 * and predict every catalogue item in bulk.
 *
 * Models are registered as `style:<column>` (kind 'classifier') under <dataDir>/models/style-<column>/v<N>/.
 * Bulk predictions are stored as per-item vectors in the space `probs:<column>:v<model version>` (dim =
 * number of classes, calibrated probabilities in the class order of the model); state key `probs:<column>`
 * names the current space, model version and classes (a retrained head may have other classes).
 */
import path from 'node:path';
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { CategoricalHead, type FeatureSpec, type HeadOptions } from '../models/classifier/classifier.ts';
import { loadFeatureSet, histogramLength, type FeatureSet } from '../models/classifier/dataset.ts';
import { buildInputs } from '../models/classifier/features.ts';
import { availableColumns, labelOf, planLabels, type LabelPlanOptions } from '../models/classifier/labels.ts';
import { modelRelPath } from '../models/classifier/persist.ts';
import type { ColourShare, ImageAttributes, ModelRecord } from '../types.ts';

export const styleModelName = (column: string) => `style:${column}`;
export const probsSpace = (column: string) => `probs:${column}`;

export interface TrainClassifierOptions extends HeadOptions, LabelPlanOptions {
  column: string;
  /** Append the colour histogram to the embedding (default true when items have one). */
  useHistogram?: boolean;
  /** Use the CNN embedding (default true; false = colour-only baseline). */
  useEmbedding?: boolean;
  /** Train only on these items (e.g. the training part of an evaluation split). */
  itemIds?: string[];
  /** Register under this model name instead of style:<column>. */
  modelName?: string;
  /** Skip saving/registering (evaluations). */
  register?: boolean;
  /** Pre-loaded features (evaluations reuse one load for several heads). */
  features?: FeatureSet;
  /** Auxiliary label column learned alongside (multi-task, e.g. articleType for usage); needs hidden > 0. */
  auxColumn?: string;
  /** Weight of the auxiliary loss (default 0.5). */
  auxWeight?: number;
}

export interface TrainClassifierResult {
  head: CategoricalHead;
  record?: ModelRecord;
  classes: string[];
  counts: number[];
  rare: { value: string; count: number }[];
  rareMode: 'other' | 'exclude';
  /** Items skipped: no value for the column, excluded rare value, or no features. */
  skipped: { missingLabel: number; excludedRare: number; withoutFeatures: number };
}

export async function trainClassifier(ctx: LookbookContext, opts: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const { store, backboneName } = ctx;
  const set = opts.features ?? (await loadFeatureSet(store, backboneName, { itemIds: opts.itemIds }));
  const available = availableColumns(set.items);
  if (set.items.length === 0) {
    throw new LookbookError('LB_ERR_NO_FEATURES', `no items have ${backboneName} features yet: ingest the catalogue first`);
  }
  const values = set.items.map((it) => labelOf(it, opts.column));
  if (!values.some((v) => v !== undefined)) {
    throw new LookbookError('LB_ERR_LABEL_COLUMN', `Unknown label column "${opts.column}"; available columns: ${available.join(', ') || '(none)'}`, {
      subject: opts.column,
      details: { column: opts.column, available },
    });
  }
  const plan = planLabels(opts.column, values, available, opts);
  const rows: number[] = [];
  let excludedRare = 0;
  for (let i = 0; i < values.length; i++) {
    const y = plan.classOf(values[i]);
    if (y >= 0) rows.push(i);
    else if (values[i] !== undefined) excludedRare++;
  }
  const hist = histogramLength(set);
  const spec: FeatureSpec = {
    backbone: backboneName,
    embeddingDim: set.dim,
    histogramDim: opts.useHistogram === false ? 0 : hist,
    useEmbedding: opts.useEmbedding !== false,
  };
  if (!spec.useEmbedding && spec.histogramDim === 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a head needs the embedding, the colour histogram or both');
  const { x } = inputsFor(spec, set, rows);
  const y = Int32Array.from(rows, (i) => plan.classOf(values[i]));
  const name = opts.modelName ?? styleModelName(opts.column);
  const aux = opts.auxColumn ? auxLabels(set, rows, opts.auxColumn, available, opts.auxWeight) : undefined;
  const head = await CategoricalHead.fit({ x, y, classes: plan.classes, column: opts.column, otherClass: plan.otherClass, spec, aux }, { task: `train ${name}`, ...opts });
  const result: TrainClassifierResult = {
    head,
    classes: plan.classes,
    counts: plan.counts,
    rare: plan.rare,
    rareMode: plan.rareMode,
    skipped: { missingLabel: plan.missing, excludedRare, withoutFeatures: set.withoutFeatures },
  };
  if (opts.register !== false) {
    const version = ((await store.getModel(name))?.version ?? 0) + 1;
    const rel = modelRelPath(name, version);
    head.save(path.join(ctx.config.dataDir, rel));
    result.record = await store.putModel({
      name,
      kind: 'classifier',
      path: rel,
      metrics: head.meta.metrics,
      meta: { column: opts.column, classes: plan.classes, otherClass: plan.otherClass, rare: plan.rare, backbone: backboneName, featureSpec: spec, trainingSize: rows.length },
    });
  }
  return result;
}

/** Auxiliary (multi-task) labels for the training rows: classes with ≥ 5 examples, others -1. */
function auxLabels(set: FeatureSet, rows: number[], column: string, available: string[], weight?: number) {
  const values = rows.map((i) => labelOf(set.items[i]!, column));
  if (!values.some((v) => v !== undefined)) {
    throw new LookbookError('LB_ERR_LABEL_COLUMN', `Unknown auxiliary label column "${column}"; available columns: ${available.join(', ')}`, {
      subject: column,
      details: { column, available },
    });
  }
  const plan = planLabels(column, values, available, { minCount: 5, rare: 'exclude' });
  return { column, y: Int32Array.from(values, (v) => plan.classOf(v)), classes: plan.classes.length, weight };
}

/** Head inputs for some rows of a feature set. */
export function inputsFor(spec: FeatureSpec, set: FeatureSet, rows: number[]): { x: Float32Array; missingHistograms: number } {
  const e = set.dim;
  const vecs = new Float32Array(rows.length * e);
  rows.forEach((r, i) => vecs.set(set.vectors.subarray(r * e, (r + 1) * e), i * e));
  return buildInputs(spec, rows.length, vecs, rows.map((r) => set.attributes[r]?.histogram));
}

const headCache = new Map<string, CategoricalHead>();

/** The newest registered head for a column (cached per model folder). */
export async function loadStyleHead(ctx: LookbookContext, column: string): Promise<{ head: CategoricalHead; record: ModelRecord }> {
  const record = await ctx.store.getModel(styleModelName(column));
  if (!record) throw new LookbookError('LB_ERR_MODEL_MISSING', `no style model for "${column}" yet: run lookbook train style --label ${column}`, { subject: column });
  return { head: loadHeadAt(ctx, record), record };
}

function loadHeadAt(ctx: LookbookContext, record: ModelRecord): CategoricalHead {
  const dir = path.resolve(ctx.config.dataDir, record.path);
  let head = headCache.get(dir);
  if (!head) {
    head = CategoricalHead.load(dir);
    headCache.set(dir, head);
  }
  return head;
}

export interface ClassProbability {
  label: string;
  probability: number;
}

export interface StylePrediction {
  column: string;
  model: { name: string; version: number };
  /** Class decided by the model's decision rule (may differ from top[0] for class-balanced decisions). */
  label: string;
  top: ClassProbability[];
  attributes: {
    colours: ColourShare[];
    pattern?: string;
    /** Top class of every other registered head (e.g. articleType, season). */
    heads: Record<string, ClassProbability>;
  };
}

export type StyleQuery = { itemId: string } | { vector: Float32Array; attributes?: ImageAttributes };

async function queryFeatures(ctx: LookbookContext, q: StyleQuery): Promise<{ vector: Float32Array; attributes?: ImageAttributes }> {
  if ('itemId' in q) {
    const feats = await ctx.store.itemFeatures([q.itemId], ctx.backboneName);
    const f = feats.get(q.itemId);
    if (!f) {
      const item = await ctx.store.getItem(q.itemId);
      if (!item) throw new LookbookError('LB_ERR_NOT_FOUND', `no item with id "${q.itemId}"`, { subject: q.itemId });
      throw new LookbookError('LB_ERR_NO_FEATURES', `item "${q.itemId}" has no ${ctx.backboneName} features`, { subject: q.itemId });
    }
    return { vector: f.vector, attributes: f.attributes };
  }
  return q;
}

async function predictOne(head: CategoricalHead, vector: Float32Array, attributes: ImageAttributes | undefined): Promise<Float32Array> {
  const spec = head.meta.featureSpec;
  if (spec.useEmbedding && vector.length !== spec.embeddingDim) {
    throw new LookbookError('LB_ERR_DIMENSION', `vector has ${vector.length} values, the ${head.meta.column} model expects ${spec.embeddingDim}`);
  }
  return head.predict(buildInputs(spec, 1, spec.useEmbedding ? vector : undefined, [attributes?.histogram]).x);
}

export async function predictStyle(ctx: LookbookContext, query: StyleQuery, opts: { column?: string; top?: number } = {}): Promise<StylePrediction> {
  const column = opts.column ?? 'usage';
  const { head, record } = await loadStyleHead(ctx, column);
  const { vector, attributes } = await queryFeatures(ctx, query);
  const probs = await predictOne(head, vector, attributes);
  const ranked = head.classes.map((label, j) => ({ label, probability: probs[j]! })).sort((a, b) => b.probability - a.probability);
  const heads: Record<string, ClassProbability> = {};
  for (const m of await ctx.store.listModels()) {
    if (m.kind !== 'classifier' || !m.name.startsWith('style:') || m.name === record.name) continue;
    if (heads[m.name.slice(6)]) continue;
    const newest = await ctx.store.getModel(m.name);
    if (!newest) continue;
    try {
      const other = loadHeadAt(ctx, newest);
      if (other.meta.featureSpec.backbone !== ctx.backboneName) continue;
      const p = await predictOne(other, vector, attributes);
      let best = 0;
      for (let j = 1; j < other.classes.length; j++) if (p[j]! > p[best]!) best = j;
      heads[other.meta.column] = { label: other.classes[best]!, probability: p[best]! };
    } catch (e) {
      ctx.logger.warn(`style head ${m.name} skipped`, String(e));
    }
  }
  return {
    column,
    model: { name: record.name, version: record.version },
    label: head.classes[head.classify(probs)[0]!]!,
    top: ranked.slice(0, opts.top ?? 3),
    attributes: { colours: attributes?.colours ?? [], pattern: attributes?.pattern?.label, heads },
  };
}

export interface PredictAllResult {
  column: string;
  model: { name: string; version: number };
  space: string;
  count: number;
  classes: string[];
  /** Items per decided class. */
  distribution: Record<string, number>;
  seconds: number;
}

/** Predicts every item with features and stores the probabilities in the `probs:<column>` space. */
export async function predictAll(ctx: LookbookContext, column: string, opts: { onProgress?: ProgressCallback } = {}): Promise<PredictAllResult> {
  const t0 = performance.now();
  const progress = opts.onProgress ?? (() => {});
  const { head, record } = await loadStyleHead(ctx, column);
  const set = await loadFeatureSet(ctx.store, ctx.backboneName);
  const c = head.classes.length;
  const task = `predict ${record.name}`;
  progress({ status: 'start', task, total: set.ids.length, unit: 'item' });
  const probs = new Float32Array(set.ids.length * c);
  const chunk = 4096;
  for (let s = 0; s < set.ids.length; s += chunk) {
    const rows = Array.from({ length: Math.min(chunk, set.ids.length - s) }, (_, i) => s + i);
    probs.set(await head.predict(inputsFor(head.meta.featureSpec, set, rows).x), s * c);
    progress({ status: 'progress', task, done: s + rows.length, total: set.ids.length });
  }
  const space = `${probsSpace(column)}:v${record.version}`;
  await ctx.store.putItemVectors(space, set.ids, probs, c);
  await ctx.store.setState(probsSpace(column), JSON.stringify({ space, model: record.name, version: record.version, classes: head.classes }));
  const distribution: Record<string, number> = Object.fromEntries(head.classes.map((k) => [k, 0]));
  for (const y of head.classify(probs)) distribution[head.classes[y]!]!++;
  const seconds = (performance.now() - t0) / 1000;
  progress({ status: 'done', task, done: set.ids.length, total: set.ids.length, seconds });
  return { column, model: { name: record.name, version: record.version }, space, count: set.ids.length, classes: head.classes, distribution, seconds };
}

/** Stored bulk predictions for some items (undefined when predictAll has not run for the column). */
export async function storedPredictions(ctx: LookbookContext, column: string, ids: string[]): Promise<{ classes: string[]; probs: Map<string, Float32Array> } | undefined> {
  const stamp = await ctx.store.getState(probsSpace(column));
  if (!stamp) return undefined;
  const { classes, space } = JSON.parse(stamp) as { classes: string[]; space: string };
  return { classes, probs: await ctx.store.getItemVectors(space, ids) };
}
