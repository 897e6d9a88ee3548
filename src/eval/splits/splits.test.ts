import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdoutSplit } from './holdout.ts';
import { temporalSplit } from './temporal.ts';

const ev = (u: string, i: string, t: number) => ({ userId: u, itemId: i, timestamp: t });

test('temporal split puts everything before the cutoff in train, the rest in test', () => {
  const events = [ev('a', '1', 10), ev('a', '2', 20), ev('b', '1', 30), ev('b', '3', 40), ev('c', '2', 50)];
  const s = temporalSplit(events, { testFraction: 0.4 });
  assert.equal(s.cutoff, 40);
  assert.deepEqual(s.train.map((e) => e.timestamp), [10, 20, 30]);
  assert.deepEqual(s.test.map((e) => e.timestamp), [40, 50]);
  assert.ok(Math.max(...s.train.map((e) => e.timestamp)) < Math.min(...s.test.map((e) => e.timestamp)));
  assert.throws(() => temporalSplit(events, { cutoff: 5 }), /empty train/);
  assert.throws(() => temporalSplit(events, { testFraction: 1.5 }), /testFraction/);
});

test('holdout split: cold items never in train, one warm item per user held out, seeded', () => {
  const events = [];
  for (let u = 0; u < 50; u++) for (let i = 0; i < 5; i++) events.push(ev(`u${u}`, `i${(u + i) % 40}`, 0));
  const a = holdoutSplit(events, { coldItemFraction: 0.2, seed: 7 });
  const b = holdoutSplit(events, { coldItemFraction: 0.2, seed: 7 });
  assert.deepEqual([...a.coldItems], [...b.coldItems]);
  assert.ok(a.coldItems.size > 0);
  assert.ok(a.train.every((e) => !a.coldItems.has(e.itemId)));
  assert.equal(a.train.length + a.test.length, events.length);
  const warmTest = a.test.filter((e) => !a.coldItems.has(e.itemId));
  assert.ok(new Set(warmTest.map((e) => e.userId)).size === warmTest.length);
});
