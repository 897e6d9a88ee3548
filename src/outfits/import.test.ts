import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LookbookError } from '../errors.ts';
import { openStore } from '../store/index.ts';
import type { Item } from '../types.ts';
import { importOutfits, parseOutfitFile, validateOutfits } from './import.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-outfits-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};

test('CSV with outfit_id,item_id groups rows per outfit', () => {
  const { outfits, rows } = parseOutfitFile(write('a.csv', 'outfit_id,item_id\no1,a\no1,b\no2,c\no1,d\n'));
  assert.equal(rows, 4);
  assert.deepEqual(outfits, [{ id: 'o1', itemIds: ['a', 'b', 'd'] }, { id: 'o2', itemIds: ['c'] }]);
});

test('the mango column names are recognised, and any names can be mapped', () => {
  const m = parseOutfitFile(write('m.csv', 'cod_outfit,cod_modelo_color\n1,x\n1,y\n'));
  assert.deepEqual(m.outfits, [{ id: '1', itemIds: ['x', 'y'] }]);
  const c = parseOutfitFile(write('c.csv', 'look,sku\nL,p\nL,q\n'), { columns: { outfitId: 'look', itemId: 'sku' } });
  assert.deepEqual(c.outfits, [{ id: 'L', itemIds: ['p', 'q'] }]);
});

test('a missing column is LB_ERR_OUTFIT_FORMAT naming the file and the column', () => {
  const file = write('bad.csv', 'outfit,item_id\no1,a\n');
  assert.throws(() => parseOutfitFile(file), (e: unknown) => {
    assert.ok(e instanceof LookbookError);
    assert.equal(e.code, 'LB_ERR_OUTFIT_FORMAT');
    assert.match(e.message, /bad\.csv/);
    assert.match(e.message, /outfit_id/);
    assert.equal(e.details?.missingColumn, 'outfit_id');
    return true;
  });
  assert.throws(() => parseOutfitFile(write('b2.csv', 'outfit_id,item_id\no1,a\n'), { columns: { itemId: 'sku' } }), /missing column "sku"/);
});

test('JSON [{id, items}] parses; malformed JSON and entries are clear errors', () => {
  const { outfits } = parseOutfitFile(write('o.json', JSON.stringify([{ id: 'o1', items: ['a', 'b'] }, { id: 2, items: ['c', 'd'] }])));
  assert.deepEqual(outfits, [{ id: 'o1', itemIds: ['a', 'b'] }, { id: '2', itemIds: ['c', 'd'] }]);
  assert.throws(() => parseOutfitFile(write('x.json', '{oops')), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_OUTFIT_FORMAT' && /x\.json.*not valid JSON/.test(e.message));
  assert.throws(() => parseOutfitFile(write('y.json', '[{"id":"o1"}]')), /o1.*no "items"/);
  assert.throws(() => parseOutfitFile(write('z.json', '[{"items":["a"]}]')), /no "id"/);
  assert.throws(() => parseOutfitFile(path.join(tmp, 'absent.csv')), /absent\.csv: cannot read/);
});

test('validation reports unknown and duplicate items and outfits with < 2 known items', () => {
  const known = new Set(['a', 'b', 'c']);
  const v = validateOutfits(
    [
      { id: 'o1', itemIds: ['a', 'b', 'zz'] },
      { id: 'o2', itemIds: ['a', 'yy'] },
      { id: 'o3', itemIds: ['a', 'a', 'c'] },
    ],
    (id) => known.has(id),
  );
  assert.deepEqual(v.outfits, [{ id: 'o1', itemIds: ['a', 'b'] }, { id: 'o3', itemIds: ['a', 'c'] }]);
  assert.deepEqual(v.problems, [
    { outfitId: 'o1', itemId: 'zz', reason: 'unknown item (not in the catalogue)' },
    { outfitId: 'o2', itemId: 'yy', reason: 'unknown item (not in the catalogue)' },
    { outfitId: 'o3', itemId: 'a', reason: 'duplicate item in outfit (kept once)' },
  ]);
  assert.equal(v.rejected.length, 1);
  assert.equal(v.rejected[0].outfitId, 'o2');
});

test('importOutfits validates against a real SQLite store and stores the valid outfits', async () => {
  const store = await openStore({ dataDir: path.join(tmp, 'data') });
  try {
    const item = (id: string): Item => ({ id, imagePath: null, contentHash: null, title: null, category: 'x', colour: null, gender: null, price: null, meta: {} });
    await store.upsertItems(['a', 'b', 'c'].map(item));
    const file = write('imp.csv', 'outfit_id,item_id\no1,a\no1,b\no2,c\no2,nope\n');
    const r = await importOutfits(store, file);
    assert.equal(r.parsedOutfits, 2);
    assert.deepEqual(r.problems, [{ outfitId: 'o2', itemId: 'nope', reason: 'unknown item (not in the catalogue)' }]);
    assert.deepEqual(r.rejected.map((x) => x.outfitId), ['o2']);
    const stored = await store.listOutfits();
    assert.deepEqual(stored.map((o) => [o.id, [...o.itemIds].sort()]), [['o1', ['a', 'b']]]);
  } finally {
    await store.close();
  }
});
