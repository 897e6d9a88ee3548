import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../store/index.ts';
import { importEventsCsv, parseTimestamp, readEventsCsv, recordEvent } from './import.ts';
import { InteractionData } from './interactions.ts';
import { eventWeight } from './weights.ts';

const CSV = `who,what,action,stars,when
u1,A,purchase,,2024-01-02
u1,B,view,,2024-01-03T10:00:00Z
u2,A,like,,1704200000
,A,view,,2024-01-04
u2,,view,,2024-01-04
u3,C,rating,8,2024-01-05
u3,D,rating,abc,2024-01-05
u3,E,view,,not-a-date
u4,ZZZ,view,,2024-01-06
`;

async function withStore(fn: (dir: string) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-events-'));
  try {
    await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const item = (id: string) => ({ id, imagePath: null, contentHash: null, title: `Item ${id}`, category: null, colour: null, gender: null, price: null, meta: {} });
const columns = { user: 'who', item: 'what', kind: 'action', rating: 'stars', timestamp: 'when' };

test('import reports bad rows with row numbers, keeps going, and is idempotent', async () => {
  await withStore(async (dir) => {
    const file = path.join(dir, 'events.csv');
    fs.writeFileSync(file, CSV);
    const store = await openStore({ dataDir: dir });
    try {
      await store.upsertItems(['A', 'B', 'C', 'D', 'E'].map(item));
      // stars column only matters for rating rows: map rating separately in a second read
      const r1 = await importEventsCsv(store, file, { columns: { user: 'who', item: 'what', kind: 'action', timestamp: 'when' } });
      assert.equal(r1.rows, 9);
      assert.deepEqual(r1.bad.map((b) => b.row), [4, 5, 8]);
      assert.match(r1.bad[0]!.reason, /user/);
      assert.match(r1.bad[1]!.reason, /item/);
      assert.match(r1.bad[2]!.reason, /timestamp/);
      assert.equal(r1.valid, 6);
      assert.equal(r1.added, 6);
      assert.equal(r1.unknownItems.distinct, 1);
      assert.deepEqual(r1.unknownItems.sample, ['ZZZ']);
      const r2 = await importEventsCsv(store, file, { columns: { user: 'who', item: 'what', kind: 'action', timestamp: 'when' } });
      assert.equal(r2.added, 0);
      assert.equal(r2.duplicates, 6);
      assert.equal((await store.listEvents()).length, 6);
    } finally {
      await store.close();
    }
  });
});

test('unknown items can be dropped; one-at-a-time recording validates and is idempotent', async () => {
  await withStore(async (dir) => {
    const file = path.join(dir, 'events.csv');
    fs.writeFileSync(file, CSV);
    const store = await openStore({ dataDir: dir });
    try {
      await store.upsertItems(['A', 'B', 'C'].map(item));
      const r = await importEventsCsv(store, file, { columns: { user: 'who', item: 'what', kind: 'action', timestamp: 'when' }, unknownItems: 'drop' });
      assert.equal(r.unknownItems.action, 'drop');
      assert.equal(r.added, 4); // D and E (not in catalogue) and ZZZ dropped
      const e = { userId: 'u9', itemId: 'A', kind: 'Like', timestamp: 1_700_000_000_000 };
      assert.equal(await recordEvent(store, e), true);
      assert.equal(await recordEvent(store, e), false);
      await assert.rejects(recordEvent(store, { ...e, itemId: 'nope' }, { unknownItems: 'reject' }), { code: 'LB_ERR_NOT_FOUND' });
      await assert.rejects(recordEvent(store, { ...e, userId: ' ' }), { code: 'LB_ERR_INVALID_ARGUMENT' });
    } finally {
      await store.close();
    }
  });
});

test('ratings map to weights through the threshold; matrix sums duplicates', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-events-'));
  try {
    const file = path.join(dir, 'e.csv');
    fs.writeFileSync(file, CSV);
    const r = await readEventsCsv(file, { columns });
    // rows without stars are bad when a rating column is mapped, except none are rating-less here… only u3 rows have stars
    const rated = r.events.filter((e) => e.kind === 'rating');
    assert.deepEqual(rated.map((e) => e.value), [8]);
    assert.ok(r.bad.some((b) => b.row === 7 && /rating/.test(b.reason)));
    await assert.rejects(readEventsCsv(file, { columns: { ...columns, user: 'nobody' } }), { code: 'LB_ERR_EVENT_FORMAT' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(eventWeight({ kind: 'rating', value: 8 }), 5);
  assert.equal(eventWeight({ kind: 'rating', value: 4 }), 0);
  assert.equal(eventWeight({ kind: 'purchase', value: null }), 5);
  assert.equal(parseTimestamp('1704200000'), 1704200000000);
  const m = InteractionData.fromEvents([
    { userId: 'a', itemId: 'x', kind: 'view', value: null, timestamp: 1 },
    { userId: 'a', itemId: 'x', kind: 'like', value: null, timestamp: 5 },
    { userId: 'b', itemId: 'y', kind: 'rating', value: 3, timestamp: 2 },
  ]);
  assert.equal(m.nnz, 1);
  assert.equal(m.values[0], 4);
  assert.equal(m.times[0], 5);
  assert.equal(m.dropped, 1);
});
