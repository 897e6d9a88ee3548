/**
 * Bad input loses nothing: corrupt / empty / fake / missing images are reported per item while the rest
 * is ingested; a kill in the middle of an ingest leaves a consistent store that the next run completes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeSyntheticCatalogue } from '../../src/catalog/synthetic.ts';
import { Lookbook } from '../../src/lookbook.ts';
import { REPO_ROOT } from '../../src/testing/datasets.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-rob-'));
  dirs.push(d);
  return d;
}

test('bad images are reported with their reason and the rest of the batch goes on', async () => {
  const dir = tmp();
  const csv = await makeSyntheticCatalogue(path.join(dir, 'cat'), { variants: 1 });
  const images = path.join(dir, 'cat', 'images');
  const good = fs.readFileSync(path.join(images, 'demo-0001.jpg'));
  fs.writeFileSync(path.join(images, 'bad-trunc.jpg'), good.subarray(0, Math.floor(good.length / 3)));
  fs.writeFileSync(path.join(images, 'bad-empty.jpg'), Buffer.alloc(0));
  fs.writeFileSync(path.join(images, 'bad-text.jpg'), 'this is not an image\n');
  fs.appendFileSync(
    csv,
    ['bad-trunc,truncated,Tshirts,Red,solid,Unisex,10,bad-trunc.jpg', 'bad-empty,empty,Tshirts,Red,solid,Unisex,10,bad-empty.jpg', 'bad-text,text,Tshirts,Red,solid,Unisex,10,bad-text.jpg', 'bad-missing,missing,Tshirts,Red,solid,Unisex,10,nope.jpg'].join('\n') + '\n',
  );
  const lb = await Lookbook.open({ dataDir: path.join(dir, 'data'), ignoreEnv: true, logLevel: 'error' });
  try {
    const r = await lb.ingest({ metadata: csv, writeReport: false });
    const failed = new Map(r.failed.map((f) => [f.id, f.reason]));
    assert.deepEqual([...failed.keys()].sort(), ['bad-empty', 'bad-missing', 'bad-text', 'bad-trunc']);
    assert.match(failed.get('bad-empty')!, /empty/i);
    assert.match(failed.get('bad-missing')!, /not found/i);
    assert.match(failed.get('bad-text')!, /LB_ERR_IMAGE_DECODE/);
    assert.equal(r.embedded, 120);
    assert.equal(await lb.store.countItems(), 124, 'failed items keep their metadata');
    const bad = await lb.store.getItem('bad-text');
    assert.equal(bad?.contentHash, null);
    await assert.rejects(lb.similar({ itemId: 'bad-text' }), /no image features/);
  } finally {
    await lb.close();
  }
});

test('an ingest killed mid-way leaves a consistent store and the next run finishes without re-embedding', async () => {
  const dir = tmp();
  const csv = await makeSyntheticCatalogue(path.join(dir, 'cat'), { variants: 2 });
  const dataDir = path.join(dir, 'data');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'lookbook.js'), 'ingest', csv, '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOOKBOOK_BATCH_SIZE: '8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  // Kill as soon as some items have been committed (progress lines report done counts).
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const m = [...out.matchAll(/ingest: (\d+)\/240/g)].map((x) => Number(x[1]));
      if (m.some((n) => n >= 48 && n < 240)) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      resolve();
    });
  });
  await new Promise((r) => child.once('exit', r).once('close', r));
  const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
  try {
    const before = await lb.store.countItems();
    const r = await lb.ingest({ metadata: csv, writeReport: false });
    assert.equal(r.failed.length, 0);
    assert.equal(await lb.store.countItems(), 240);
    assert.ok(before > 0, 'the killed run had committed some items');
    assert.equal(r.embedded + r.reused, 240, 'every item was either embedded now or reused from the feature cache');
    assert.ok(r.embedded <= 240 - before, `re-embedded already stored images: embedded ${r.embedded}, stored before ${before}`);
    const { ids } = await lb.store.allItemVectors(lb.ctx.backboneName);
    assert.equal(ids.length, 240);
  } finally {
    await lb.close();
  }
});
