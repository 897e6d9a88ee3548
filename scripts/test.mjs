#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner through tsx (Node 20 has no --test globs).
// Extra arguments are passed through: `npm test -- src/catalog` runs only the test files under that path.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts') && !e.name.endsWith('.case.test.ts')) out.push(p);
  }
  return out;
}

let files = [...walk(path.join(root, 'src'), []), ...walk(path.join(root, 'test'), [])].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => path.relative(root, f).startsWith(x.replace(/^\.\//, ''))));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...flags, ...files.map((f) => path.relative(root, f))], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
