/**
 * Learned similarity space vs raw CNN features on items NOT used in training: items are split (stratified
 * by the label, fixed seed); the projection is trained on the training part only (its validation split
 * carved from it); P@10 / mAP@10 of same label (and same secondary label, e.g. colour) are measured by
 * leave-one-out exact search among the held-out items, in both spaces.
 */
import type { LookbookContext } from '../context.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { loadFeatureSet, type FeatureSet } from '../models/classifier/dataset.ts';
import { labelOf } from '../models/classifier/labels.ts';
import { gatherRows, stratifiedSplit } from '../models/classifier/random.ts';
import { trainSimilaritySpace } from '../models/metric-space/from-store.ts';
import type { MetricSpaceOptions } from '../models/metric-space/metric-space.ts';
import { retrievalAtK, type RetrievalScore } from '../models/metric-space/retrieval.ts';

export interface LearnedSpaceEvalOptions extends MetricSpaceOptions {
  column?: string;
  secondaryColumn?: string | null;
  /** Columns to score retrieval on (default: column and, when set, secondaryColumn). */
  scoreColumns?: string[];
  testFraction?: number;
  seed?: number;
  features?: FeatureSet;
  onProgress?: ProgressCallback;
}

export interface LearnedSpaceEvalResult {
  protocol: string;
  sizes: { train: number; test: number };
  k: number;
  rows: { column: string; raw: RetrievalScore; learned: RetrievalScore }[];
  trainSeconds: number;
  seconds: number;
  metrics: Record<string, number>;
}

export async function evaluateLearnedSpace(ctx: LookbookContext, opts: LearnedSpaceEvalOptions = {}): Promise<LearnedSpaceEvalResult> {
  const t0 = performance.now();
  const column = opts.column ?? 'articleType';
  const seed = opts.seed ?? 42;
  const testFraction = opts.testFraction ?? 0.2;
  const set = opts.features ?? (await loadFeatureSet(ctx.store, ctx.backboneName));
  const codes = new Map<string, number>();
  const encode = (col: string) =>
    Int32Array.from(set.items, (it) => {
      const v = labelOf(it, col);
      if (v === undefined) return -1;
      if (!codes.has(`${col}\u0000${v}`)) codes.set(`${col}\u0000${v}`, codes.size);
      return codes.get(`${col}\u0000${v}`)!;
    });
  const y = encode(column);
  // Items with an unlabelled primary column go to training (they are not scored).
  const { train, test } = stratifiedSplit(y, testFraction, seed);
  const t1 = performance.now();
  const { space } = await trainSimilaritySpace(ctx, { ...opts, column, secondaryColumn: opts.secondaryColumn ?? null, features: set, itemIds: train.map((r) => set.ids[r]!), register: false });
  const trainSeconds = (performance.now() - t1) / 1000;
  const rawTest = gatherRows(set.vectors, set.dim, test);
  const learnedTest = await space.project(rawTest);
  const rows: LearnedSpaceEvalResult['rows'] = [];
  const scoreColumns = opts.scoreColumns ?? [column, ...(opts.secondaryColumn ? [opts.secondaryColumn] : [])];
  for (const col of scoreColumns) {
    const yc = encode(col);
    const labels = Int32Array.from(test, (r) => yc[r]!);
    rows.push({ column: col, raw: await retrievalAtK(rawTest, set.dim, labels, 10), learned: await retrievalAtK(learnedTest, space.meta.dim, labels, 10) });
  }
  return {
    protocol: `items split ${Math.round((1 - testFraction) * 100)}/${Math.round(testFraction * 100)} stratified by ${column} (seed ${seed}); projection trained on the training part; leave-one-out exact cosine search among the held-out items`,
    sizes: { train: train.length, test: test.length },
    k: 10,
    rows,
    trainSeconds,
    seconds: (performance.now() - t0) / 1000,
    metrics: space.meta.metrics,
  };
}
