/**
 * Conformance suite for every Store implementation (SQLite now, PostgreSQL later).
 * Exports runStoreConformance; registers no tests by itself.
 * makeStore must return an empty store whose ANN path is used for ≥ 1,000 vectors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isLookbookError } from '../errors.ts';
import { clusteredVectors, recallAtK } from '../index/synthetic.ts';
import type { FeatureRecord, Item } from '../types.ts';
import type { Store } from './store.ts';

const DIM = 64;
const N_VEC = 2000;

export function makeItem(i: number, over: Partial<Item> = {}): Item {
  const cats = ['Shirts', 'Jeans', 'Dresses', 'Shoes'];
  const colours = ['Blue', 'Black', 'Red'];
  return {
    id: `item-${String(i).padStart(5, '0')}`,
    imagePath: `/img/${i}.jpg`,
    contentHash: `hash-${i}`,
    title: `Title ${i}`,
    category: cats[i % cats.length],
    colour: colours[i % colours.length],
    gender: i % 2 ? 'Women' : 'Men',
    price: 10 + i,
    meta: { season: i % 2 ? 'Summer' : 'Winter', usage: 'Casual' },
    ...over,
  };
}

function feature(i: number, backbone: string, vectors: Float32Array, dim = DIM): FeatureRecord {
  return {
    contentHash: `hash-${i}`,
    backbone,
    vector: vectors.slice(i * dim, (i + 1) * dim),
    attributes: { colours: [{ name: 'blue', hex: '#0000ff', lab: [30, 60, -100], share: 1 }], histogram: [1], foreground: 0.5 },
  };
}

const hasCode = (code: string) => (e: unknown) => isLookbookError(e) && e.code === code;

export function runStoreConformance(name: string, makeStore: () => Promise<Store>, cleanup: (s: Store) => Promise<void>): void {
  describe(`Store conformance: ${name}`, () => {
    let s: Store;
    before(async () => {
      s = await makeStore();
    });
    after(async () => {
      await cleanup(s);
    });

    it('items: upsert, get, getItems order, update keeps one row, itemHashes, delete', async () => {
      await s.upsertItems(Array.from({ length: 40 }, (_, i) => makeItem(i)));
      assert.equal(await s.countItems(), 40);
      const it3 = await s.getItem('item-00003');
      assert.ok(it3);
      assert.deepEqual({ ...it3, updatedAt: undefined }, { ...makeItem(3), updatedAt: undefined });
      assert.equal(typeof it3.updatedAt, 'number');
      assert.equal(await s.getItem('nope'), undefined);
      const got = await s.getItems(['item-00007', 'nope', 'item-00002']);
      assert.deepEqual(got.map((x) => x.id), ['item-00007', 'item-00002']);
      await s.upsertItems([makeItem(3, { title: 'Changed', price: null, meta: {} })]);
      assert.equal(await s.countItems(), 40);
      const changed = await s.getItem('item-00003');
      assert.equal(changed?.title, 'Changed');
      assert.equal(changed?.price, null);
      assert.deepEqual(changed?.meta, {});
      const hashes = await s.itemHashes();
      assert.equal(hashes.size, 40);
      assert.equal(hashes.get('item-00005'), 'hash-5');
      await s.upsertItems([makeItem(99, { id: 'tmp-1' }), makeItem(98, { id: 'tmp-2' })]);
      assert.equal(await s.deleteItems(['tmp-1', 'tmp-2', 'never']), 2);
      assert.equal(await s.countItems(), 40);
    });

    it('items: an invalid batch writes nothing', async () => {
      await assert.rejects(s.upsertItems([makeItem(500, { id: 'ok-500' }), makeItem(501, { id: '' })]), hasCode('LB_ERR_INVALID_ARGUMENT'));
      assert.equal(await s.getItem('ok-500'), undefined);
    });

    it('items: filters (case-insensitive values and lists, price range, meta, excludeIds) and paging', async () => {
      const all = await s.listItems();
      assert.equal(all.length, 40);
      assert.deepEqual(all.map((x) => x.id), [...all.map((x) => x.id)].sort());
      const shirts = await s.listItems({ filter: { category: 'shirts' } });
      assert.equal(shirts.length, 10);
      assert.ok(shirts.every((x) => x.category === 'Shirts'));
      const two = await s.listItems({ filter: { category: ['SHIRTS', 'jeans'], gender: 'women' } });
      assert.ok(two.length > 0 && two.every((x) => ['Shirts', 'Jeans'].includes(x.category!) && x.gender === 'Women'));
      assert.equal(two.length, all.filter((x) => ['Shirts', 'Jeans'].includes(x.category!) && x.gender === 'Women').length);
      const priced = await s.listItems({ filter: { price: { min: 20, max: 25 } } });
      assert.deepEqual(priced.map((x) => x.price), [20, 21, 22, 23, 24, 25]);
      const summer = await s.listItems({ filter: { meta: { season: 'summer' } } });
      assert.equal(summer.length, all.filter((x) => x.meta.season === 'Summer').length);
      assert.ok(summer.length > 0);
      const excl = await s.listItems({ filter: { colour: 'blue', excludeIds: ['item-00000', 'item-00003'] } });
      assert.ok(excl.every((x) => x.colour === 'Blue' && x.id !== 'item-00000'));
      assert.equal(await s.countItems({ colour: 'Blue', excludeIds: ['item-00000', 'item-00003'] }), excl.length);
      assert.equal(await s.countItems({ category: 'Shirts' }), 10);
      const page1 = await s.listItems({ limit: 15, offset: 0 });
      const page2 = await s.listItems({ limit: 15, offset: 15 });
      const page3 = await s.listItems({ limit: 15, offset: 30 });
      assert.deepEqual([...page1, ...page2, ...page3].map((x) => x.id), all.map((x) => x.id));
      assert.equal(page3.length, 10);
    });

    it('features: put/get by hash, hasFeatures, itemFeatures, allItemVectors, dimension check', async () => {
      const { vectors } = clusteredVectors({ n: 40, dim: DIM, clusters: 4, seed: 11 });
      await s.putFeatures(Array.from({ length: 30 }, (_, i) => feature(i, 'bb-small', vectors)));
      const f = await s.getFeatures('hash-4', 'bb-small');
      assert.ok(f);
      assert.deepEqual(Array.from(f.vector), Array.from(vectors.slice(4 * DIM, 5 * DIM)));
      assert.equal(f.attributes.colours[0].name, 'blue');
      assert.equal(await s.getFeatures('hash-4', 'other'), undefined);
      assert.deepEqual([...(await s.hasFeatures(['hash-1', 'hash-35', 'zzz'], 'bb-small'))], ['hash-1']);
      const byItem = await s.itemFeatures(['item-00002', 'item-00031', 'nope'], 'bb-small');
      assert.deepEqual([...byItem.keys()], ['item-00002']);
      const all = await s.allItemVectors('bb-small');
      assert.equal(all.dim, DIM);
      assert.equal(all.ids.length, 30);
      const row = all.ids.indexOf('item-00007');
      assert.deepEqual(Array.from(all.vectors.slice(row * DIM, (row + 1) * DIM)), Array.from(vectors.slice(7 * DIM, 8 * DIM)));
      assert.deepEqual(await s.allItemVectors('none'), { ids: [], dim: 0, vectors: new Float32Array(0) });
      await assert.rejects(s.putFeatures([{ ...feature(31, 'bb-small', vectors), vector: new Float32Array(DIM + 1) }]), hasCode('LB_ERR_DIMENSION'));
    });

    it('searchVectors (small space): exact top-1 is the item itself, filter and errors', async () => {
      const { vectors } = clusteredVectors({ n: 40, dim: DIM, clusters: 4, seed: 11 });
      const hits = await s.searchVectors('bb-small', vectors.slice(5 * DIM, 6 * DIM), 5);
      assert.equal(hits[0].id, 'item-00005');
      assert.ok(Math.abs(hits[0].score - 1) < 1e-4);
      for (let j = 1; j < hits.length; j++) assert.ok(hits[j - 1].score >= hits[j].score);
      const shirts = await s.searchVectors('bb-small', vectors.slice(5 * DIM, 6 * DIM), 50, { filter: { category: 'Shirts' } });
      assert.equal(shirts.length, (await s.listItems({ filter: { category: 'Shirts' } })).filter((x) => Number(x.id.slice(5)) < 30).length);
      const items = await s.getItems(shirts.map((h) => h.id));
      assert.ok(items.every((x) => x.category === 'Shirts'));
      await assert.rejects(s.searchVectors('bb-small', new Float32Array(DIM - 1), 3), hasCode('LB_ERR_DIMENSION'));
      assert.deepEqual(await s.searchVectors('no-such-space', new Float32Array(DIM), 3), []);
    });

    it(`searchVectors: ANN recall@10 ≥ 0.9 vs exact on ${N_VEC} clustered vectors, with and without a filter`, async () => {
      const { vectors } = clusteredVectors({ n: N_VEC, dim: DIM, clusters: 40, seed: 5 });
      await s.upsertItems(Array.from({ length: N_VEC }, (_, i) => makeItem(1000 + i, { contentHash: `big-${i}` })));
      await s.putFeatures(Array.from({ length: N_VEC }, (_, i) => ({ ...feature(i, 'bb-big', vectors), contentHash: `big-${i}` })));
      const queries = clusteredVectors({ n: 40, dim: DIM, clusters: 40, seed: 5 }).vectors.slice(0, 40 * DIM);
      for (const filter of [undefined, { category: ['Shirts', 'Dresses'] }, { price: { max: 1200 } }]) {
        const approx: string[][] = [];
        const exact: string[][] = [];
        for (let q = 0; q < 40; q++) {
          const query = queries.slice(q * DIM, (q + 1) * DIM);
          const a = await s.searchVectors('bb-big', query, 10, { filter });
          const e = await s.searchVectors('bb-big', query, 10, { filter, exact: true });
          assert.equal(e.length, 10);
          approx.push(a.map((h) => h.id));
          exact.push(e.map((h) => h.id));
        }
        const r = recallAtK(approx, exact, 10);
        assert.ok(r >= 0.9, `recall@10 ${r} with filter ${JSON.stringify(filter)}`);
        if (filter) {
          const ids = [...new Set(approx.flat())];
          const ok = new Set((await s.listItems({ filter })).map((x) => x.id));
          assert.ok(ids.every((id) => ok.has(id)), 'a filtered-out item was returned');
        }
      }
      // A new item is visible to the next search (the index is rebuilt, not stale).
      const probe = vectors.slice(3 * DIM, 4 * DIM).map((x, j) => x + (j === 0 ? 0.001 : 0));
      await s.upsertItems([makeItem(9000, { contentHash: 'probe' })]);
      await s.putFeatures([{ ...feature(0, 'bb-big', probe), contentHash: 'probe' }]);
      const top = await s.searchVectors('bb-big', probe, 2);
      assert.equal(top[0].id, 'item-09000');
      await s.deleteItems(['item-09000']);
      const after = await s.searchVectors('bb-big', probe, 2);
      assert.equal(after[0].id, 'item-01003');
    });

    it('putItemVectors / getItemVectors and search in a derived space', async () => {
      const ids = ['item-00001', 'item-00002', 'item-00003'];
      const v = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 2]);
      await s.putItemVectors('style-v1', ids, v, 3);
      const got = await s.getItemVectors('style-v1', ['item-00003', 'item-00001', 'nope']);
      assert.deepEqual(Array.from(got.get('item-00003')!), [0, 0, 2]);
      assert.equal(got.size, 2);
      const hits = await s.searchVectors('style-v1', new Float32Array([0, 0, 1]), 3);
      assert.equal(hits[0].id, 'item-00003');
      assert.ok(Math.abs(hits[0].score - 1) < 1e-6, 'scores are cosine similarities');
      await s.putItemVectors('style-v1', ['item-00001'], new Float32Array([0, 0, 5]), 3);
      assert.equal((await s.searchVectors('style-v1', new Float32Array([0, 0, 1]), 3, { filter: { excludeIds: ['item-00003'] } }))[0].id, 'item-00001');
      const bb = await s.getItemVectors('bb-small', ['item-00004']);
      assert.equal(bb.get('item-00004')?.length, DIM);
      await assert.rejects(s.putItemVectors('style-v1', ['item-00001'], new Float32Array(4), 4), hasCode('LB_ERR_DIMENSION'));
      await assert.rejects(s.putItemVectors('style-v1', ['item-00001', 'item-00002'], new Float32Array(3), 3), hasCode('LB_ERR_DIMENSION'));
      await assert.rejects(s.putItemVectors('style-v1', ['no-such-item'], new Float32Array(3), 3), hasCode('LB_ERR_NOT_FOUND'));
      await s.deleteItems(['item-00002']);
      assert.equal((await s.getItemVectors('style-v1', ids)).size, 2);
      await s.upsertItems([makeItem(2)]);
    });

    it('outfits: put, replace, list in item order', async () => {
      await s.putOutfits([
        { id: 'o2', itemIds: ['item-00003', 'item-00001'], meta: { occasion: 'work' } },
        { id: 'o1', itemIds: ['item-00005', 'item-00006', 'item-00007'] },
      ]);
      await s.putOutfits([{ id: 'o2', itemIds: ['item-00009', 'item-00003'], meta: { occasion: 'party' } }]);
      const list = await s.listOutfits();
      assert.deepEqual(list.map((o) => o.id), ['o1', 'o2']);
      assert.deepEqual(list[1].itemIds, ['item-00009', 'item-00003']);
      assert.deepEqual(list[1].meta, { occasion: 'party' });
      assert.deepEqual(list[0].itemIds, ['item-00005', 'item-00006', 'item-00007']);
    });

    it('events: idempotent inserts return the count of new events; listing by user and time', async () => {
      const ev = (u: string, item: string, t: number, kind = 'view', value: number | null = null) => ({ userId: u, itemId: item, kind, value, timestamp: t });
      assert.equal(await s.addEvents([ev('u1', 'item-00001', 100), ev('u1', 'item-00002', 200, 'rating', 8), ev('u2', 'item-00001', 150)]), 3);
      assert.equal(await s.addEvents([ev('u1', 'item-00001', 100), ev('u1', 'item-00001', 100, 'like'), ev('u1', 'item-00001', 100)]), 1);
      const all = await s.listEvents();
      assert.equal(all.length, 4);
      assert.deepEqual(all.map((e) => e.timestamp), [100, 100, 150, 200]);
      const u1 = await s.listEvents({ userId: 'u1' });
      assert.equal(u1.length, 3);
      assert.deepEqual(u1.find((e) => e.kind === 'rating'), ev('u1', 'item-00002', 200, 'rating', 8));
      assert.equal((await s.listEvents({ userId: 'u1', before: 200 })).length, 2);
      await assert.rejects(s.addEvents([ev('', 'x', 1)]), hasCode('LB_ERR_INVALID_ARGUMENT'));
    });

    it('models: versions increment per name, getModel returns the newest', async () => {
      const a1 = await s.putModel({ name: 'style', kind: 'style-classifier', path: 'models/style/1', metrics: { f1: 0.5 }, meta: {} });
      const b1 = await s.putModel({ name: 'compat', kind: 'outfit-compat', path: 'models/compat/1', metrics: {}, meta: { dim: 3 } });
      const a2 = await s.putModel({ name: 'style', kind: 'style-classifier', path: 'models/style/2', metrics: { f1: 0.6 }, meta: {} });
      assert.deepEqual([a1.version, b1.version, a2.version], [1, 1, 2]);
      assert.ok(a2.createdAt >= a1.createdAt);
      const newest = await s.getModel('style');
      assert.equal(newest?.version, 2);
      assert.deepEqual(newest?.metrics, { f1: 0.6 });
      assert.equal(newest?.path, 'models/style/2');
      assert.equal(await s.getModel('none'), undefined);
      const list = await s.listModels();
      assert.deepEqual(list.filter((m) => m.name === 'style').map((m) => m.version), [1, 2]);
      assert.deepEqual(list.find((m) => m.name === 'compat')?.meta, { dim: 3 });
    });

    it('state: set, overwrite, get', async () => {
      assert.equal(await s.getState('ingest:cursor'), undefined);
      await s.setState('ingest:cursor', '10');
      await s.setState('ingest:cursor', '20');
      assert.equal(await s.getState('ingest:cursor'), '20');
    });
  });
}
