/**
 * Latency of recommendForUser for a user with 100 events over a 50k-item catalogue (target ≤ 50 ms).
 *   node --import tsx benchmarks/recommend.ts [--items 50000] [--runs 50]
 * Synthetic catalogue and events (Zipf-like item popularity, seeded) in a real SQLite store under
 * .cache/bench/recommend; the hybrid (popularity + item-kNN + BPR, 64 factors) answers. Filtered queries
 * use the allowed-id set cached per filter (re-validated by a COUNT query), or store.listItemIds when present.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { InteractionData } from '../src/events/interactions.ts';
import { HybridRecommender } from '../src/models/hybrid/model.ts';
import { rng } from '../src/models/recommender.ts';
import { recommendForUser } from '../src/pipelines/recommend.ts';
import { openStore } from '../src/store/index.ts';
import { evalCacheDir } from '../src/testing/datasets.ts';
import type { InteractionEvent, Item } from '../src/types.ts';

const { values: a } = parseArgs({ options: { items: { type: 'string', default: '50000' }, runs: { type: 'string', default: '50' }, users: { type: 'string', default: '20000' } } });
const nItems = Number(a.items);
const nUsers = Number(a.users);
const runs = Number(a.runs);
const rand = rng(1);
const zipf = () => Math.min(nItems - 1, Math.floor(nItems * rand() ** 3));
const dir = evalCacheDir('bench', 'recommend');
fs.rmSync(dir, { recursive: true, force: true });
const store = await openStore({ dataDir: dir });
const cats = ['dress', 'top', 'skirt', 'trousers', 'shoes'];
const items: Item[] = Array.from({ length: nItems }, (_, i) => ({ id: `item${i}`, imagePath: null, contentHash: null, title: `Item ${i}`, category: cats[i % 5]!, colour: null, gender: null, price: null, meta: {} }));
await store.upsertItems(items);
const events: InteractionEvent[] = [];
for (let u = 0; u < nUsers; u++) for (let k = 0; k < 20; k++) events.push({ userId: `u${u}`, itemId: `item${zipf()}`, kind: 'view', value: null, timestamp: 1_600_000_000_000 + u * 1000 + k });
const heavy: InteractionEvent[] = Array.from({ length: 200 }, (_, k) => ({ userId: `heavy${k % 2}`, itemId: `item${zipf()}`, kind: k % 10 === 0 ? 'purchase' : 'view', value: null, timestamp: 1_700_000_000_000 + k }));
await store.addEvents([...events, ...heavy]);
const train = InteractionData.fromEvents([...events, ...heavy], { itemIds: items.map((i) => i.id) });
let t0 = performance.now();
const model = await new HybridRecommender({ tune: false, components: [{ name: 'popularity', config: { halfLifeDays: 30 } }, { name: 'item-knn' }, { name: 'bpr', config: { epochs: 2 } }] }).fit(train);
console.log(`catalogue ${nItems} items, ${train.nUsers} users, ${train.nnz} pairs; hybrid trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const time = async (label: string, fn: () => Promise<unknown>) => {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  console.log(`${label}: p50 ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, p95 ${ms[Math.floor(runs * 0.95)]!.toFixed(1)} ms (${runs} runs)`);
};
// alternate two users so no per-user score cache is reused between calls
let flip = 0;
const heavyUser = () => `heavy${flip++ % 2}`;
await time('recommend --user <100 events>, k=10', () => recommendForUser({ store, model }, heavyUser(), { k: 10 }));
t0 = performance.now();
await recommendForUser({ store, model }, heavyUser(), { k: 10, filter: { category: 'top' } });
console.log(`first call with a new filter (allowed ids listed once, then cached per filter): ${(performance.now() - t0).toFixed(1)} ms`);
await time('same, filter category=dress', () => recommendForUser({ store, model }, heavyUser(), { k: 10, filter: { category: 'dress' } }));
await time('new user from 5 liked items', () => recommendForUser({ store, model }, { likedItemIds: ['item1', 'item2', 'item3', 'item4', 'item5'] }, { k: 10 }));
const sample = await recommendForUser({ store, model }, 'heavy0', { k: 3 });
console.log(JSON.stringify(sample));
await store.close();
