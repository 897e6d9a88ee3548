/**
 * `npm run eval [-- <name>…]`: runs the quality evaluations on the real data in ../shared/data and prints
 * their tables. Names: similarity, style, compatibility, recommend, colour-names (default: all).
 * The first run ingests the data sets into .cache/eval/ (CNN features; later runs reuse them).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/testing/datasets.ts';

const EVALS: Record<string, string[]> = {
  similarity: ['evals/similarity.ts'],
  style: ['evals/style.ts', '--data-dir', '.cache/eval/fashion-small', '--label', 'usage'],
  compatibility: ['evals/compatibility.ts', '--data-dir', '.cache/eval/mango'],
  recommend: ['evals/recommend.ts'],
  'colour-names': ['evals/colour-names.ts'],
};

// Names come first; everything from the first --flag on is passed to each script (e.g. `-- store --n 2000`).
const argv = process.argv.slice(2);
const firstFlag = argv.findIndex((a) => a.startsWith('-'));
const wanted = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const extra = firstFlag < 0 ? [] : argv.slice(firstFlag);
const names = wanted.length ? wanted : Object.keys(EVALS);
let failed = 0;
for (const name of names) {
  const spec = EVALS[name];
  if (!spec) {
    console.error(`unknown evaluation "${name}" (known: ${Object.keys(EVALS).join(', ')})`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, spec[0]!))) {
    console.error(`skipping ${name}: ${spec[0]} is missing`);
    continue;
  }
  if (name === 'compatibility' || name === 'style') {
    // These read features from the eval data dirs: make sure they are ingested.
    spawnSync(process.execPath, ['--import', 'tsx', 'evals/prepare.ts', name === 'style' ? 'fashion-small' : 'mango'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  console.log(`\n=== eval ${name}: node --import tsx ${spec.join(' ')} ${extra.join(' ')}`.trimEnd());
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...spec, ...extra], { cwd: REPO_ROOT, stdio: 'inherit' });
  console.log(`=== ${name}: exit ${r.status}, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
