/**
 * The CLI as a user runs it: the demo on a machine without ../shared (it makes its own catalogue and says
 * so), --json output, and clear errors with exit code 1 for bad input.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/testing/datasets.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-cli-'));
const dataDir = path.join(dir, 'data');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function lookbook(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'lookbook.js'), ...args], {
    cwd: dir,
    env: { ...process.env, LOOKBOOK_SHARED_DATA: path.join(dir, 'no-shared-data-here'), ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('demo without ../shared generates a catalogue, says which it used, ingests and answers', () => {
  const r = lookbook(['demo', '--no-serve', '--data-dir', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Catalogue: a synthetic catalogue Lookbook generated/);
  assert.match(r.stdout, /240 added/);
  assert.match(r.stdout, /Query demo-\d+/);
});

test('--json output of info, similar and a re-ingest', () => {
  const info = JSON.parse(lookbook(['info', '--json', '--data-dir', dataDir]).stdout);
  assert.equal(info.items, 240);
  assert.equal(info.itemsWithFeatures, 240);
  const sim = lookbook(['similar', 'demo-0001', '-k', '4', '--json', '--data-dir', dataDir]);
  assert.equal(sim.code, 0, sim.stderr);
  const answer = JSON.parse(sim.stdout);
  assert.equal(answer.results.length, 4);
  assert.ok(answer.results.every((x: { item: { id: string } }) => x.item.id !== 'demo-0001'));
  // demo-0001 is a red solid T-shirt: its nearest neighbours include other T-shirts.
  assert.ok(answer.results.some((x: { item: { category: string } }) => x.item.category === 'Tshirts'));
  const csv = path.join(dataDir, 'demo-catalogue', 'catalogue.csv');
  const again = JSON.parse(lookbook(['ingest', csv, '--json', '--quiet', '--data-dir', dataDir]).stdout);
  assert.equal(again.embedded, 0);
  assert.equal(again.unchanged, 240);
});

test('eval similarity: leave-one-out P@10 of the category beats a random ranking; ANN agrees with exact', () => {
  const r = lookbook(['eval', 'similarity', '--label', 'category', 'colour', '--queries', '60', '--recall-queries', '20', '--json', '--data-dir', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const [byCategory, byColour] = JSON.parse(r.stdout) as { label: string; queries: number; precisionAtK: number; randomPrecision: number; annRecallAtK: number }[];
  assert.equal(byCategory!.label, 'category');
  assert.equal(byCategory!.queries, 60);
  assert.ok(byCategory!.precisionAtK > 2 * byCategory!.randomPrecision, JSON.stringify(byCategory));
  assert.ok(byColour!.precisionAtK > byColour!.randomPrecision, JSON.stringify(byColour));
  assert.ok(byCategory!.annRecallAtK >= 0.9);
  const bad = lookbook(['eval', 'similarity', '--label', 'no-such-column', '--data-dir', dataDir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /LB_ERR_LABEL_COLUMN/);
});

test('bad input: unknown item, missing mapped column, missing file, bad number → code and exit 1', () => {
  const unknown = lookbook(['similar', 'no-such-item', '--data-dir', dataDir]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /LB_ERR_NOT_FOUND/);
  const csv = path.join(dataDir, 'demo-catalogue', 'catalogue.csv');
  const col = lookbook(['ingest', csv, '--map', 'id=sku', '--data-dir', dataDir]);
  assert.equal(col.code, 1);
  assert.match(col.stderr, /LB_ERR_CATALOGUE_COLUMN: column "sku"/);
  const missing = lookbook(['ingest', path.join(dir, 'nope.csv'), '--data-dir', dataDir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /LB_ERR_CATALOGUE_FORMAT/);
  const noFile = lookbook(['similar', './missing-photo.jpg', '--data-dir', dataDir]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /no image file at/);
  const noData = lookbook(['similar', 'demo-0001', '--data-dir', path.join(dir, 'typo-dir')]);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /no Lookbook data in/);
  assert.ok(!fs.existsSync(path.join(dir, 'typo-dir', 'lookbook.db')), 'a read command does not create a store');
  const badK = lookbook(['similar', 'demo-0001', '-k', 'many', '--data-dir', dataDir]);
  assert.equal(badK.code, 1);
  assert.match(badK.stderr, /not a positive integer/);
  // A filter value that matches nothing: empty answer, exit 0, and a hint naming the real categories.
  // (recommend and outfit fill-blank/complete print the same hint through hintEmptyFilter.)
  const none = lookbook(['similar', 'demo-0001', '--category', 'no-such-category', '--data-dir', dataDir]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /No item matches the filters\. Categories in this catalogue include: \w/);
});

test('ingesting the wrong file keeps the stored catalogue and exits 1', () => {
  const wrong = path.join(dir, 'events.csv');
  fs.writeFileSync(wrong, 'user_id,item_id,event\nu1,demo-0001,like\nu2,demo-0002,like\n');
  const r = lookbook(['ingest', wrong, '--json', '--quiet', '--data-dir', dataDir]);
  assert.equal(r.code, 1, 'nothing could be ingested');
  const report = JSON.parse(r.stdout);
  assert.equal(report.removed, 0);
  assert.match(report.pruneSkipped, /were kept/);
  const info = JSON.parse(lookbook(['info', '--json', '--data-dir', dataDir]).stdout);
  assert.equal(info.items, 240, 'the 238 items absent from the wrong file are still there');
  assert.equal(info.itemsWithFeatures, 240, 'the two ids it shares were not overwritten by image-less rows');
  assert.ok(report.failed.every((f: { reason: string }) => /stored version of the item was kept/.test(f.reason)));
});
