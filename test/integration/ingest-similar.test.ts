/**
 * End to end on real data: ingest a few hundred real catalogue images, check "more like this" makes sense,
 * re-ingest does no CNN work, bad images are reported while the rest goes on.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Lookbook } from '../../src/lookbook.ts';
import { datasetPath, requireDataset } from '../../src/testing/datasets.ts';

const N = 300;
let lb: Lookbook | undefined;
let workDir = '';
let catalogue = '';

/** A catalogue of the first N real rows (whose images exist) whose article types are common. */
function writeSample(src: string, dest: string): void {
  const rows = parse(fs.readFileSync(path.join(src, 'styles.csv'), 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  const picked = rows.filter((r) => ['Tshirts', 'Shirts', 'Casual Shoes', 'Sports Shoes', 'Watches', 'Handbags', 'Kurtas', 'Jeans'].includes(r.articleType!) && fs.existsSync(path.join(src, 'images', `${r.id}.jpg`))).slice(0, N);
  const header = 'id,articleType,baseColour,gender,usage,productDisplayName';
  const esc = (s: string) => `"${(s ?? '').replace(/"/g, '""')}"`;
  fs.writeFileSync(dest, [header, ...picked.map((r) => [r.id, r.articleType, r.baseColour, r.gender, r.usage, r.productDisplayName].map((v) => esc(v!)).join(','))].join('\n') + '\n');
}

before(async () => {
  const src = datasetPath('fashion-small');
  if (!src) return;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-int-'));
  catalogue = path.join(workDir, 'styles.csv');
  writeSample(src, catalogue);
  lb = await Lookbook.open({ dataDir: path.join(workDir, 'data'), ignoreEnv: true, logLevel: 'error' });
});

after(async () => {
  await lb?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test('ingest real images, then similar items share the query\'s article type', async (t) => {
  const src = requireDataset(t, 'fashion-small');
  if (!src || !lb) return;
  const report = await lb.ingest({ metadata: catalogue, imagesDir: path.join(src, 'images'), writeReport: false });
  assert.equal(report.rows, N);
  assert.equal(report.failed.length, 0, JSON.stringify(report.failed.slice(0, 3)));
  assert.equal(report.embedded + report.reused, N);
  assert.equal(report.added, N);

  // Neighbours of shoes are mostly shoes, of watches mostly watches (raw ImageNet features).
  const items = await lb.store.listItems({ limit: 1000 });
  const byType = (t: string) => items.filter((i) => i.category === t).slice(0, 15);
  for (const type of ['Watches', 'Casual Shoes', 'Handbags']) {
    const group = type === 'Casual Shoes' ? ['Casual Shoes', 'Sports Shoes'] : [type];
    let same = 0;
    let total = 0;
    for (const q of byType(type)) {
      const a = await lb.similar({ itemId: q.id }, { k: 5 });
      assert.ok(a.results.every((r) => r.item.id !== q.id), 'the query item is left out');
      same += a.results.filter((r) => group.includes(r.item.category ?? '')).length;
      total += a.results.length;
    }
    assert.ok(total > 0);
    assert.ok(same / total >= 0.7, `${type}: only ${same}/${total} neighbours of the same kind`);
  }
});

test('filters apply and every result carries a reason', async (t) => {
  if (!requireDataset(t, 'fashion-small') || !lb) return;
  const [q] = await lb.store.listItems({ filter: { category: 'Tshirts' }, limit: 1 });
  const a = await lb.similar({ itemId: q!.id }, { k: 8, filter: { category: 'Jeans' } });
  assert.ok(a.results.length > 0);
  assert.ok(a.results.every((r) => r.item.category === 'Jeans'));
  assert.ok(a.results.every((r) => r.reasons.length > 0));
  const exact = await lb.similar({ itemId: q!.id }, { k: 5, exact: true });
  assert.equal(exact.results.length, 5);
  assert.ok(exact.results.every((r, i, arr) => i === 0 || arr[i - 1]!.score >= r.score), 'sorted by score');
});

test('re-ingesting an unchanged catalogue does no CNN work', async (t) => {
  const src = requireDataset(t, 'fashion-small');
  if (!src || !lb) return;
  const r = await lb.ingest({ metadata: catalogue, imagesDir: path.join(src, 'images'), writeReport: false });
  assert.equal(r.embedded, 0);
  assert.equal(r.unchanged, N);
  assert.equal(r.added + r.updated + r.removed, 0);
});

test('a query by image file finds the same product first and leaves its exact duplicate out', async (t) => {
  const src = requireDataset(t, 'fashion-small');
  if (!src || !lb) return;
  const [q] = await lb.store.listItems({ filter: { category: 'Watches' }, limit: 1 });
  const bytes = fs.readFileSync(q!.imagePath!);
  const a = await lb.similar({ image: bytes }, { k: 5 });
  assert.ok(a.results.every((r) => r.item.id !== q!.id), 'the identical image is an exact duplicate and left out');
  assert.ok(a.query.colours.length > 0);
});
