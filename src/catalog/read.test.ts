import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCatalogue } from './read.ts';
import { parseMapping } from './mapping.ts';
import { LookbookError } from '../errors.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpCatalogue(name: string, content: string, images: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-cat-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'images'));
  for (const f of images) fs.writeFileSync(path.join(dir, 'images', f), 'x');
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

test('CSV with a BOM, quoted commas and detected columns', () => {
  const file = tmpCatalogue(
    'products.csv',
    '\uFEFFid,productDisplayName,articleType,baseColour,price\n1,"Shirt, slim fit",Shirts,Blue,19.99\n2,"Jeans ""classic""",Jeans,Black,"1,299"\n',
    ['1.jpg', '2.png'],
  );
  const r = readCatalogue({ metadata: file });
  assert.deepEqual(r.problems, []);
  assert.equal(r.mapping.id, 'id');
  assert.equal(r.mapping.title, 'productDisplayName');
  assert.equal(r.mapping.category, 'articleType');
  assert.equal(r.items.length, 2);
  assert.equal(r.items[0]!.title, 'Shirt, slim fit');
  assert.equal(r.items[1]!.title, 'Jeans "classic"');
  assert.equal(r.items[1]!.price, 1299);
  assert.ok(r.items[0]!.imagePath!.endsWith('1.jpg'));
  assert.ok(r.items[1]!.imagePath!.endsWith('2.png'));
  assert.equal(r.items[0]!.meta.baseColour, 'Blue');
});

test('mixed line endings: a CRLF header followed by LF rows', () => {
  const file = tmpCatalogue('mixed.csv', 'id,category\r\nA,Shoes\nB,Bags\r\nC,"Shirts, slim"\n');
  const r = readCatalogue({ metadata: file });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.items.map((i) => [i.id, i.category]), [['A', 'Shoes'], ['B', 'Bags'], ['C', 'Shirts, slim']]);
});

test('a mapped column that is missing names the column and lists the available ones', () => {
  const file = tmpCatalogue('p.csv', 'sku,type\n1,Shoes\n');
  assert.throws(
    () => readCatalogue({ metadata: file, mapping: parseMapping('id=sku,category=articleType') }),
    (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_CATALOGUE_COLUMN' && /articleType/.test(e.message) && /sku, type/.test(e.message),
  );
});

test('no id column is a clear error', () => {
  const file = tmpCatalogue('p.csv', 'name,type\nA,Shoes\n');
  assert.throws(() => readCatalogue({ metadata: file }), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_CATALOGUE_COLUMN');
});

test('duplicated ids, empty ids and short rows are reported by row while the rest goes on', () => {
  const file = tmpCatalogue('p.csv', 'id,category,price\n1,Shoes,10\n1,Bags,12\n,Bags,3\n2,Shirts\n3,Shirts,abc\n4,Jeans,5\n');
  const r = readCatalogue({ metadata: file });
  assert.deepEqual(r.items.map((i) => i.id), ['1', '3', '4']);
  assert.equal(r.items[0]!.category, 'Shoes', 'the first row of a duplicated id wins');
  const byRow = new Map(r.problems.map((p) => [p.row, p.reason]));
  assert.match(byRow.get(2)!, /duplicate id, first seen on row 1/);
  assert.match(byRow.get(3)!, /empty id/);
  assert.match(byRow.get(4)!, /has 2 fields, header has 3/);
  assert.match(byRow.get(5)!, /price "abc" is not a number/);
  assert.equal(r.items[1]!.price, null);
  assert.equal(r.items[0]!.imagePath, null, 'no image file → null path (reported at ingest)');
});

test('JSON array and JSON Lines catalogues; image path by base name', () => {
  const json = tmpCatalogue('p.json', JSON.stringify([{ sku: 'a', image: 'datathon/images/a.jpg', colour: 'Red' }]), ['a.jpg']);
  const r = readCatalogue({ metadata: json, mapping: { id: 'sku' } });
  assert.equal(r.items[0]!.colour, 'Red');
  assert.ok(r.items[0]!.imagePath!.endsWith(path.join('images', 'a.jpg')));
  const jsonl = tmpCatalogue('p.jsonl', '{"id":"x","price":3}\n{"id":"y","price":4}\n');
  assert.deepEqual(readCatalogue({ metadata: jsonl }).items.map((i) => i.price), [3, 4]);
});

test('invalid JSON and a missing file are catalogue format errors', () => {
  const bad = tmpCatalogue('p.json', '[{"id": 1,');
  assert.throws(() => readCatalogue({ metadata: bad }), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_CATALOGUE_FORMAT');
  assert.throws(() => readCatalogue({ metadata: '/nonexistent/x.csv' }), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_CATALOGUE_FORMAT');
});

test('a metadata file over the size limit is refused', () => {
  const file = tmpCatalogue('p.csv', 'id\n1\n2\n');
  assert.throws(() => readCatalogue({ metadata: file, maxMetadataBytes: 3 }), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_PAYLOAD_TOO_LARGE');
});

test('parseMapping rejects unknown fields', () => {
  assert.deepEqual(parseMapping('id=sku, category=type'), { id: 'sku', category: 'type' });
  assert.throws(() => parseMapping('colorz=x'), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_INVALID_ARGUMENT');
});
