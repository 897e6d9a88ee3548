import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgressRenderer, plural, progressExtra } from './progress.ts';

test('progress lines: plural units, the task message, failures only when there are some', () => {
  assert.equal(plural('epoch'), 'epochs');
  assert.equal(plural('items'), 'items');
  assert.equal(plural(undefined), '');
  assert.equal(progressExtra({ failed: 0 }), '');
  assert.equal(progressExtra({ failed: 2, message: 'loss 0.5' }), ' | failed 2 | loss 0.5');
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const p = createProgressRenderer({ stream });
  p({ status: 'start', task: 'train style:usage', total: 40, unit: 'epoch' });
  p({ status: 'progress', task: 'train style:usage', done: 4, total: 40, message: 'loss 0.61 val_acc 0.86' });
  p({ status: 'done', task: 'train style:usage', done: 7, total: 40, seconds: 12 });
  p.stop();
  assert.equal(lines[0], 'train style:usage: 40 epochs\n');
  assert.match(lines[1]!, /^train style:usage: 4\/40 \(.*\) \| loss 0\.61 val_acc 0\.86\n$/);
  assert.doesNotMatch(lines.join(''), /failed 0/);
});
