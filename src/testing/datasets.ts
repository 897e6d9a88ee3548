/**
 * Locating the real data sets in ../shared/data for tests, evaluations and benchmarks.
 * In CI (CI=true) a missing data set is a failure; elsewhere the caller skips with a printed reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DATASETS = {
  'fashion-small': 'fashion-product-images-small',
  mango: 'mango-outfits-2023',
  renttherunway: 'renttherunway',
} as const;
export type DatasetName = keyof typeof DATASETS;

/** Root of the shared data folder: $LOOKBOOK_SHARED_DATA or ../shared/data beside the repo. */
export function sharedDataRoot(): string {
  return process.env.LOOKBOOK_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');
}

/** Path of a data set, or undefined when it is absent. */
export function datasetPath(name: DatasetName): string | undefined {
  const p = path.join(sharedDataRoot(), DATASETS[name]);
  return fs.existsSync(p) ? p : undefined;
}

/**
 * For node:test: returns the data set path, or calls t.skip(reason) and returns undefined when absent.
 * Under CI=true a missing data set throws (the test fails loudly).
 */
export function requireDataset(t: { skip: (msg?: string) => void }, name: DatasetName): string | undefined {
  const p = datasetPath(name);
  if (p) return p;
  const reason = `data set ${DATASETS[name]} not found under ${sharedDataRoot()} (set LOOKBOOK_SHARED_DATA)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: required in CI`);
  console.log(`# skipping: ${reason}`);
  t.skip(reason);
  return undefined;
}

/** Cache directory for evaluation/benchmark data dirs (gitignored). */
export function evalCacheDir(...parts: string[]): string {
  const root = process.env.LOOKBOOK_EVAL_CACHE ?? path.join(REPO_ROOT, '.cache');
  return path.join(root, ...parts);
}
