import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemFilterFrom } from './filter.ts';
import { LookbookError } from '../errors.ts';

test('flat filter fields become an ItemFilter', () => {
  assert.deepEqual(itemFilterFrom({ category: ['Shoes'], colour: [], minPrice: 10, where: ['usage=Casual', 'a=b=c'] }), {
    category: ['Shoes'],
    price: { min: 10, max: undefined },
    meta: { usage: 'Casual', a: 'b=c' },
  });
  assert.deepEqual(itemFilterFrom({}), {});
});

test('bad where pairs and an inverted price range are invalid arguments, named as the caller spells them', () => {
  assert.throws(() => itemFilterFrom({ where: ['usage'] }, '--where'), (e: unknown) => e instanceof LookbookError && e.code === 'LB_ERR_INVALID_ARGUMENT' && /^--where expects field=value/.test(e.message));
  assert.throws(() => itemFilterFrom({ where: ['=x'] }), (e: unknown) => e instanceof LookbookError && /^where expects/.test(e.message));
  assert.throws(() => itemFilterFrom({ minPrice: 50, maxPrice: 10 }), (e: unknown) => e instanceof LookbookError && /minPrice is above maxPrice/.test(e.message));
});
