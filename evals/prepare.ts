/**
 * Ingests the shared real data sets into cached data directories (.cache/eval/<name>) that the
 * evaluations and benchmarks read. Incremental: a second run does no CNN work.
 *   node --import tsx evals/prepare.ts [fashion-small] [mango] [--limit N]
 */
import path from 'node:path';
import { Lookbook } from '../src/lookbook.ts';
import { createProgressRenderer } from '../src/cli/progress.ts';
import { printIngestSummary } from '../src/cli/commands/ingest.ts';
import { datasetPath, evalCacheDir, type DatasetName } from '../src/testing/datasets.ts';
import type { IngestOptions } from '../src/pipelines/ingest.ts';
import { importOutfits } from '../src/outfits/import.ts';

/** How each shared data set maps onto a catalogue. */
export const EVAL_CATALOGUES: Partial<Record<DatasetName, (root: string) => IngestOptions>> = {
  'fashion-small': (root) => ({
    metadata: path.join(root, 'styles.csv'),
    imagesDir: path.join(root, 'images'),
    mapping: { id: 'id', title: 'productDisplayName', category: 'articleType', colour: 'baseColour', gender: 'gender' },
  }),
  mango: (root) => ({
    metadata: path.join(root, 'product_data.csv'),
    imagesDir: path.join(root, 'images'),
    mapping: { id: 'cod_modelo_color', image: 'des_filename', category: 'des_product_family', colour: 'des_agrup_color_eng', gender: 'des_sex' },
  }),
};

export function evalDataDir(name: DatasetName): string {
  return evalCacheDir('eval', name);
}

/** Ingests one data set into its cache dir (no-op when up to date) and returns the open Lookbook. */
export async function prepareDataset(name: DatasetName, opts: { limit?: number; quiet?: boolean } = {}): Promise<Lookbook> {
  const root = datasetPath(name);
  const make = EVAL_CATALOGUES[name];
  if (!root || !make) throw new Error(`data set ${name} is not available (looked in ../shared/data)`);
  const lb = await Lookbook.open({ dataDir: evalDataDir(name), ignoreEnv: true, logLevel: 'error' });
  const progress = createProgressRenderer({ quiet: opts.quiet });
  const report = await lb.ingest({ ...make(root), limit: opts.limit, onProgress: progress });
  progress.stop();
  if (!opts.quiet) printIngestSummary(report, process.stderr);
  if (name === 'mango') {
    // The stylists' outfits (validated against the ingested catalogue; idempotent).
    const o = await importOutfits(lb.store, path.join(root, 'outfit_data.csv'));
    if (!opts.quiet) process.stderr.write(`Outfits     ${o.outfits.length} imported from ${o.parsedOutfits} (${o.problems.length} problems)\n`);
  }
  return lb;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const li = args.indexOf('--limit');
  const limit = li >= 0 ? Number(args[li + 1]) : undefined;
  const names = args.filter((a, i) => !a.startsWith('--') && (li < 0 || i !== li + 1)) as DatasetName[];
  for (const n of names.length ? names : (['fashion-small', 'mango'] as DatasetName[])) {
    const lb = await prepareDataset(n, { limit });
    await lb.close();
  }
}
