/**
 * Style evaluation: stratified train/test split with a fixed seed, a head on CNN features (+ colour
 * histogram) beside a majority-class and a colour-only baseline. Reports accuracy, macro-F1 (all classes
 * and over classes with ≥ frequentMin examples), per-class precision/recall, the confusion matrix, test ECE
 * and time taken. Validation (early stopping, temperature, decision rule) is carved from the training part;
 * the test split is only predicted.
 */
import type { LookbookContext } from '../context.ts';
import type { ProgressCallback } from '../logging/index.ts';
import { expectedCalibrationError } from '../models/classifier/calibration.ts';
import type { HeadOptions } from '../models/classifier/classifier.ts';
import { loadFeatureSet, type FeatureSet } from '../models/classifier/dataset.ts';
import { labelOf, planLabels } from '../models/classifier/labels.ts';
import { stratifiedSplit } from '../models/classifier/random.ts';
import { inputsFor, trainClassifier } from '../pipelines/style.ts';

export interface PerClass {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  /** Macro-F1 over the `frequent` classes only. */
  macroF1Frequent: number;
  perClass: PerClass[];
  /** confusion[true][predicted] */
  confusion: number[][];
}

export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: string[], frequent?: Set<number>): ClassificationReport {
  const c = classes.length;
  const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    confusion[yTrue[i]!]![yPred[i]!]!++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  const perClass = classes.map((label, j) => {
    const tp = confusion[j]![j]!;
    const support = confusion[j]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((s, row) => s + row[j]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const withSupport = perClass.filter((p) => p.support > 0);
  const freq = perClass.filter((p, j) => p.support > 0 && (frequent ? frequent.has(j) : true));
  const mean = (xs: PerClass[]) => (xs.length ? xs.reduce((s, p) => s + p.f1, 0) / xs.length : 0);
  return { accuracy: yTrue.length ? correct / yTrue.length : 0, macroF1: mean(withSupport), macroF1Frequent: mean(freq), perClass, confusion };
}

export interface StyleEvalOptions {
  label?: string;
  testFraction?: number;
  seed?: number;
  /** Rare-class threshold of the heads (grouped into Other). Default 50. */
  minCount?: number;
  /** Classes with at least this many labelled items count as frequent. Default 100. */
  frequentMin?: number;
  /** Head options; auxColumn/auxWeight apply to the CNN head only (not the colour-only baseline). */
  head?: HeadOptions & { auxColumn?: string; auxWeight?: number };
  /** Skip the colour-only baseline. */
  noColourBaseline?: boolean;
  features?: FeatureSet;
  onProgress?: ProgressCallback;
}

export interface ModelResult {
  name: string;
  report: ClassificationReport;
  ece?: number;
  trainSeconds: number;
  predictSeconds: number;
  epochs?: number;
  extra?: Record<string, unknown>;
}

export interface StyleEvalResult {
  protocol: string;
  label: string;
  seed: number;
  sizes: { labelled: number; train: number; test: number; withoutFeatures: number; missingLabel: number };
  classes: string[];
  classCounts: number[];
  frequentClasses: string[];
  rare: { value: string; count: number }[];
  otherClass: string | null;
  models: ModelResult[];
  seconds: number;
}

export async function evaluateStyle(ctx: LookbookContext, opts: StyleEvalOptions = {}): Promise<StyleEvalResult> {
  const t0 = performance.now();
  const label = opts.label ?? 'usage';
  const seed = opts.seed ?? 42;
  const testFraction = opts.testFraction ?? 0.2;
  const frequentMin = opts.frequentMin ?? 100;
  const set = opts.features ?? (await loadFeatureSet(ctx.store, ctx.backboneName));
  const values = set.items.map((it) => labelOf(it, label));
  const plan = planLabels(label, values, [label], { minCount: opts.minCount ?? 50 });
  const yAll = Int32Array.from(values, (v) => plan.classOf(v));
  const { train, test } = stratifiedSplit(yAll, testFraction, seed);
  const trainSet = subset(set, train);
  const frequentNames = plan.classes.filter((_, j) => plan.counts[j]! >= frequentMin && plan.classes[j] !== plan.otherClass);
  const models: ModelResult[] = [];

  // Majority-class baseline (from the training part).
  const trainCounts = plan.classes.map((_, j) => train.reduce((s, i) => s + (yAll[i] === j ? 1 : 0), 0));
  const majority = trainCounts.indexOf(Math.max(...trainCounts));
  const yTest = Int32Array.from(test, (i) => yAll[i]!);
  const frequent = new Set(frequentNames.map((n) => plan.classes.indexOf(n)));
  models.push({ name: `majority (${plan.classes[majority]})`, report: classificationReport(yTest, new Int32Array(test.length).fill(majority), plan.classes, frequent), trainSeconds: 0, predictSeconds: 0 });

  const variants: { name: string; useEmbedding: boolean; useHistogram: boolean }[] = [];
  if (!opts.noColourBaseline) variants.push({ name: 'colour histogram only', useEmbedding: false, useHistogram: true });
  variants.push({ name: `CNN ${ctx.backboneName} + colour histogram`, useEmbedding: true, useHistogram: true });
  for (const v of variants) {
    const t1 = performance.now();
    const trained = await trainClassifier(ctx, {
      ...opts.head,
      column: label,
      minCount: opts.minCount ?? 50,
      features: trainSet,
      register: false,
      useEmbedding: v.useEmbedding,
      useHistogram: v.useHistogram,
      ...(v.useEmbedding ? {} : { auxColumn: undefined }),
      onProgress: opts.onProgress,
      task: `train ${v.name}`,
    });
    const trainSeconds = (performance.now() - t1) / 1000;
    const head = trained.head;
    // Test labels in the head's class space (same plan unless a class fell under minCount in the training part).
    const toHead = plan.classes.map((k) => {
      const j = head.classes.indexOf(k);
      return j >= 0 ? j : head.meta.otherClass ? head.classes.indexOf(head.meta.otherClass) : -1;
    });
    const keep = test.filter((i) => toHead[yAll[i]!]! >= 0);
    const t2 = performance.now();
    const probs = await head.predict(inputsFor(head.meta.featureSpec, set, keep).x);
    const pred = head.classify(probs);
    const predictSeconds = (performance.now() - t2) / 1000;
    const yt = Int32Array.from(keep, (i) => toHead[yAll[i]!]!);
    const freqHead = new Set(frequentNames.map((n) => head.classes.indexOf(n)).filter((j) => j >= 0));
    models.push({
      name: v.name,
      report: classificationReport(yt, pred, head.classes, freqHead),
      ece: expectedCalibrationError(probs, head.classes.length, yt),
      trainSeconds,
      predictSeconds,
      epochs: head.meta.metrics.epochs,
      extra: { ...head.meta.metrics, classes: head.classes },
    });
  }
  return {
    protocol: `stratified ${Math.round((1 - testFraction) * 100)}/${Math.round(testFraction * 100)} split by ${label} (seed ${seed}); validation carved from the training part`,
    label,
    seed,
    sizes: { labelled: train.length + test.length, train: train.length, test: test.length, withoutFeatures: set.withoutFeatures, missingLabel: plan.missing },
    classes: plan.classes,
    classCounts: plan.counts,
    frequentClasses: frequentNames,
    rare: plan.rare,
    otherClass: plan.otherClass,
    models,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The rows of a feature set as a new feature set. */
export function subset(set: FeatureSet, rows: number[]): FeatureSet {
  const d = set.dim;
  const vectors = new Float32Array(rows.length * d);
  rows.forEach((r, i) => vectors.set(set.vectors.subarray(r * d, (r + 1) * d), i * d));
  return {
    items: rows.map((r) => set.items[r]!),
    ids: rows.map((r) => set.ids[r]!),
    dim: d,
    vectors,
    attributes: rows.map((r) => set.attributes[r]),
    withoutFeatures: 0,
  };
}
