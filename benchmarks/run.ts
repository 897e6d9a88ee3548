/**
 * `npm run bench [-- <name>…]`: speed and memory benchmarks, each printing a table.
 * Names: ingest, backbone, store, stores, http, recommend, outfit (default: all that exist).
 * Run on a quiet machine: other load changes the figures.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/testing/datasets.ts';

const BENCHES: Record<string, string> = {
  ingest: 'benchmarks/ingest.ts',
  backbone: 'benchmarks/backbone.ts',
  store: 'benchmarks/store.ts',
  stores: 'benchmarks/stores.ts',
  http: 'benchmarks/http.ts',
  recommend: 'benchmarks/recommend.ts',
  outfit: 'benchmarks/outfit.ts',
};

// Names come first; everything from the first --flag on is passed to each script (e.g. `-- store --n 2000`).
const argv = process.argv.slice(2);
const firstFlag = argv.findIndex((a) => a.startsWith('-'));
const wanted = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const extra = firstFlag < 0 ? [] : argv.slice(firstFlag);
let failed = 0;
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const file = BENCHES[name];
  if (!file) {
    console.error(`unknown benchmark "${name}" (known: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, file))) continue;
  console.log(`\n=== bench ${name}: node --import tsx ${file} ${extra.join(' ')}`.trimEnd());
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...extra], { cwd: REPO_ROOT, stdio: 'inherit' });
  console.log(`=== ${name}: exit ${r.status}, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
