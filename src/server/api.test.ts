/**
 * In-process tests of every route on a real ingested synthetic catalogue (real SQLite, ANN, CNN, sharp).
 * Bad requests must give a 4xx with a stable LB_ERR_* code, never a 5xx.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from './index.ts';
import { ingestedFixture, multipartBody, type Fixture } from './test-fixture.ts';

let fx: Fixture;
let app: FastifyInstance;
const KEY = 'test-key-123';
const json = { 'content-type': 'application/json', 'x-api-key': KEY };

function errorOf(r: LightMyRequestResponse): { code: string; message: string; subject?: string } {
  assert.ok(r.statusCode >= 400 && r.statusCode < 500, `expected a 4xx, got ${r.statusCode}: ${r.body}`);
  return (r.json() as { error: { code: string; message: string } }).error;
}

before(async () => {
  fx = await ingestedFixture();
  app = await buildApp(fx.lb, { apiKey: KEY, maxUploadBytes: 200_000 });
});
after(async () => {
  await app?.close();
  await fx?.cleanup();
});

describe('system routes', () => {
  it('GET /health reports the store and item count', async () => {
    const r = await app.inject('/health');
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().status, 'ok');
    assert.equal(r.json().items, 120);
  });
  it('GET /metrics counts requests and summarises latency', async () => {
    await app.inject('/health');
    const m = (await app.inject('/metrics')).json();
    assert.equal(m.counts.items, 120);
    assert.ok(m.requests.total >= 1);
    assert.ok(m.requests.byRoute['GET /health'].count >= 1);
    assert.ok(m.latency.count >= 1 && m.latency.p99Ms >= m.latency.p50Ms);
  });
  it('serves an OpenAPI 3 document covering the API routes, and a docs page', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    assert.equal(doc.openapi, '3.0.3');
    for (const p of ['/api/items', '/api/items/{id}', '/api/items/{id}/similar', '/api/similar', '/api/jobs/train', '/api/jobs/{id}', '/api/ingest']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.ok(doc.paths['/api/items'].post.security, 'writes declare the API key');
    const html = await app.inject('/docs');
    assert.match(html.headers['content-type'] as string, /text\/html/);
    assert.match(html.body, /\/api\/items\/:id\/similar/);
  });
  it('serves the web page and its assets, and refuses paths outside the web folder', async () => {
    const r = await app.inject('/');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<main/);
    assert.equal((await app.inject('/assets/app.js')).statusCode, 200);
    assert.equal(errorOf(await app.inject('/assets/..%2F..%2Fpackage.json')).code, 'LB_ERR_NOT_FOUND');
  });
  it('unknown routes are 404 LB_ERR_NOT_FOUND', async () => {
    assert.equal(errorOf(await app.inject('/api/nothing')).code, 'LB_ERR_NOT_FOUND');
    assert.equal(errorOf(await app.inject({ method: 'POST', url: '/api/nothing', headers: json, payload: '{}' })).code, 'LB_ERR_NOT_FOUND');
  });
});

describe('items', () => {
  it('lists with filters and paging', async () => {
    const all = (await app.inject('/api/items?limit=500')).json();
    assert.equal(all.total, 120);
    const shoes = (await app.inject('/api/items?category=Shoes&limit=5&offset=2')).json();
    assert.equal(shoes.total, 24);
    assert.equal(shoes.items.length, 5);
    assert.ok(shoes.items.every((i: { category: string }) => i.category === 'Shoes'));
    const two = (await app.inject('/api/items?category=Shoes&category=Dresses&colour=Red&limit=100')).json();
    assert.equal(two.total, 6);
    const cheap = (await app.inject('/api/items?maxPrice=20&limit=500')).json();
    assert.ok(cheap.total > 0 && cheap.items.every((i: { price: number }) => i.price <= 20));
    const striped = (await app.inject('/api/items?where=pattern%3Dstriped&limit=500')).json();
    assert.equal(striped.total, 40);
  });
  it('rejects bad list parameters with 400', async () => {
    for (const q of ['limit=abc', 'limit=0', 'limit=100000', 'offset=-1', 'minPrice=x', 'bogus=1', 'where=nofield', 'minPrice=50&maxPrice=10']) {
      assert.equal(errorOf(await app.inject(`/api/items?${q}`)).code, 'LB_ERR_INVALID_ARGUMENT', q);
    }
  });
  it('reads one item with its colours, 404 for an unknown id', async () => {
    const r = (await app.inject('/api/items/demo-0001')).json();
    assert.equal(r.item.id, 'demo-0001');
    assert.equal(r.hasFeatures, true);
    assert.ok(r.attributes.colours.length > 0 && r.attributes.colours[0].hex.startsWith('#'));
    assert.equal(r.item.thumbUrl, '/api/items/demo-0001/thumb');
    assert.equal(errorOf(await app.inject('/api/items/no-such-item')).code, 'LB_ERR_NOT_FOUND');
  });
  it('serves the original image and a cached thumbnail', async () => {
    const img = await app.inject('/api/items/demo-0002/image');
    assert.equal(img.statusCode, 200);
    assert.equal(img.headers['content-type'], 'image/jpeg');
    assert.deepEqual(img.rawPayload, fs.readFileSync(path.join(fx.imagesDir, 'demo-0002.jpg')));
    const t = await app.inject('/api/items/demo-0002/thumb?size=128');
    assert.equal(t.statusCode, 200);
    const meta = await sharp(t.rawPayload).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.ok(Math.max(meta.width!, meta.height!) <= 128);
    const cached = fs.readdirSync(path.join(fx.lb.config.dataDir, 'thumbs'), { recursive: true }).map(String);
    assert.ok(cached.some((f) => f.endsWith('-128.jpg')));
    const again = await app.inject({ url: '/api/items/demo-0002/thumb?size=128', headers: { 'if-none-match': t.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    assert.equal(errorOf(await app.inject('/api/items/demo-0002/thumb?size=77')).code, 'LB_ERR_INVALID_ARGUMENT');
    assert.equal(errorOf(await app.inject('/api/items/nope/thumb')).code, 'LB_ERR_NOT_FOUND');
  });
  it('creates, updates and deletes an item with JSON metadata', async () => {
    const c = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: JSON.stringify({ id: 'new-1', title: 'Linen shirt', category: 'Shirts', price: 19.5, meta: { season: 'Summer' } }) });
    assert.equal(c.statusCode, 201, c.body);
    assert.equal(c.json().created, true);
    const u = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: JSON.stringify({ id: 'new-1', price: 25 }) });
    assert.equal(u.statusCode, 200);
    assert.equal(u.json().item.title, 'Linen shirt', 'fields not given keep their value');
    assert.equal(u.json().item.price, 25);
    assert.equal(u.json().item.hasImage, false);
    assert.equal(errorOf(await app.inject('/api/items/new-1/similar')).code, 'LB_ERR_NO_FEATURES');
    const d = await app.inject({ method: 'DELETE', url: '/api/items/new-1', headers: { 'x-api-key': KEY } });
    assert.equal(d.statusCode, 204);
    assert.equal(errorOf(await app.inject({ method: 'DELETE', url: '/api/items/new-1', headers: { 'x-api-key': KEY } })).code, 'LB_ERR_NOT_FOUND');
  });
  it('creates an item from a multipart upload: embedded, stored and searchable', async () => {
    const data = fs.readFileSync(path.join(fx.imagesDir, 'demo-0050.jpg'));
    const { payload, headers } = multipartBody({ id: 'up-1', title: 'Uploaded', category: 'Dresses', price: '42', meta: '{"source":"upload"}' }, { name: 'x.jpg', type: 'image/jpeg', data });
    const r = await app.inject({ method: 'POST', url: '/api/items', headers: { ...headers, 'x-api-key': KEY }, payload });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().embedded, true);
    assert.equal(r.json().item.price, 42);
    assert.equal(r.json().item.meta.source, 'upload');
    const sim = (await app.inject('/api/items/up-1/similar?k=3')).json();
    assert.equal(sim.results.length, 3);
    assert.ok(!sim.results.some((x: { item: { id: string } }) => x.item.id === 'demo-0050'), 'identical bytes are left out');
    assert.equal((await app.inject('/api/items/up-1/thumb')).statusCode, 200);
    await app.inject({ method: 'DELETE', url: '/api/items/up-1', headers: { 'x-api-key': KEY } });
  });
  it('rejects malformed and mistyped bodies with 400', async () => {
    const bad = [
      '{"id": "x",',
      '[]',
      '"just a string"',
      JSON.stringify({ title: 'no id' }),
      JSON.stringify({ id: 'x', price: 'cheap' }),
      JSON.stringify({ id: 'x', price: -3 }),
      JSON.stringify({ id: 'x', meta: { a: { nested: 1 } } }),
      JSON.stringify({ id: 'x', unknown: true }),
      JSON.stringify({ id: 'has space' }),
    ];
    for (const payload of bad) {
      assert.equal(errorOf(await app.inject({ method: 'POST', url: '/api/items', headers: json, payload })).code, 'LB_ERR_INVALID_ARGUMENT', payload);
    }
    const text = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'text/plain', 'x-api-key': KEY }, payload: 'id=x' });
    assert.equal(errorOf(text).code, 'LB_ERR_INVALID_ARGUMENT');
    const big = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: JSON.stringify({ id: 'x', title: 'a'.repeat(2_000_000) }) });
    assert.equal(errorOf(big).code, 'LB_ERR_PAYLOAD_TOO_LARGE');
    assert.equal(big.statusCode, 413);
  });
  it('requires the API key for writes only', async () => {
    const payload = JSON.stringify({ id: 'k-1' });
    const none = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(none.statusCode, 401);
    assert.equal(errorOf(none).code, 'LB_ERR_UNAUTHORIZED');
    const wrong = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json', 'x-api-key': 'nope' }, payload });
    assert.equal(errorOf(wrong).code, 'LB_ERR_UNAUTHORIZED');
    assert.equal(errorOf(await app.inject({ method: 'DELETE', url: '/api/items/demo-0001' })).code, 'LB_ERR_UNAUTHORIZED');
    const bearer = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, payload });
    assert.equal(bearer.statusCode, 201);
    await app.inject({ method: 'DELETE', url: '/api/items/k-1', headers: { 'x-api-key': KEY } });
    assert.equal((await app.inject('/api/items?limit=1')).statusCode, 200, 'reads need no key');
  });
});

describe('similar', () => {
  it('returns similar items of an item with reasons, filters and k', async () => {
    const r = (await app.inject('/api/items/demo-0001/similar?k=5')).json();
    assert.equal(r.results.length, 5);
    assert.ok(!r.results.some((x: { item: { id: string } }) => x.item.id === 'demo-0001'));
    assert.ok(r.results[0].score >= r.results[4].score);
    assert.ok(r.results.every((x: { reasons: string[] }) => x.reasons.length > 0));
    const shoes = (await app.inject('/api/items/demo-0001/similar?k=4&category=Shoes')).json();
    assert.ok(shoes.results.every((x: { item: { category: string } }) => x.item.category === 'Shoes'));
    const exact = (await app.inject('/api/items/demo-0001/similar?k=5&exact=true')).json();
    assert.equal(exact.results[0].item.id, r.results[0].item.id);
  });
  it('rejects bad similar queries', async () => {
    assert.equal(errorOf(await app.inject('/api/items/demo-0001/similar?k=0')).code, 'LB_ERR_INVALID_ARGUMENT');
    assert.equal(errorOf(await app.inject('/api/items/demo-0001/similar?k=ten')).code, 'LB_ERR_INVALID_ARGUMENT');
    assert.equal(errorOf(await app.inject('/api/items/demo-0001/similar?exact=maybe')).code, 'LB_ERR_INVALID_ARGUMENT');
    assert.equal(errorOf(await app.inject('/api/items/missing/similar')).code, 'LB_ERR_NOT_FOUND');
    assert.equal(errorOf(await app.inject('/api/items/demo-0001/similar?space=nosuchspace')).code, 'LB_ERR_MODEL_MISSING');
  });
  it('finds similar items to an uploaded photo and reports its colours (no key needed: it only reads)', async () => {
    const photo = await sharp(fs.readFileSync(path.join(fx.imagesDir, 'demo-0001.jpg'))).resize(180).png().toBuffer();
    const { payload, headers } = multipartBody({}, { name: 'photo.png', type: 'image/png', data: photo });
    const r = await app.inject({ method: 'POST', url: '/api/similar?k=3', headers, payload });
    assert.equal(r.statusCode, 200, r.body);
    const a = r.json();
    assert.equal(a.results.length, 3);
    assert.ok(a.query.colours.length > 0 && typeof a.query.colours[0].name === 'string');
    assert.equal(a.results[0].item.category, 'Tshirts', 'a re-encoded catalogue shirt finds shirts first');
  });
  it('refuses non-image, empty, missing and oversized uploads with 4xx codes', async () => {
    const post = (b: { payload: Buffer; headers: Record<string, string> }) => app.inject({ method: 'POST', url: '/api/similar', ...b });
    const text = multipartBody({}, { name: 'notes.jpg', type: 'image/jpeg', data: Buffer.from('this is not an image at all') });
    const r1 = await post(text);
    assert.equal(r1.statusCode, 422);
    assert.equal(errorOf(r1).code, 'LB_ERR_IMAGE_DECODE');
    assert.equal(errorOf(await post(multipartBody({}, { name: 'e.jpg', type: 'image/jpeg', data: Buffer.alloc(0) }))).code, 'LB_ERR_IMAGE_EMPTY');
    assert.equal(errorOf(await post(multipartBody({ note: 'no file' }))).code, 'LB_ERR_INVALID_ARGUMENT');
    const huge = await sharp(crypto.randomBytes(900 * 900 * 3), { raw: { width: 900, height: 900, channels: 3 } }).png().toBuffer();
    assert.ok(huge.length > 200_000);
    const r2 = await post(multipartBody({}, { name: 'big.png', type: 'image/png', data: huge }));
    assert.equal(r2.statusCode, 413);
    assert.equal(errorOf(r2).code, 'LB_ERR_PAYLOAD_TOO_LARGE');
    const json1 = await app.inject({ method: 'POST', url: '/api/similar', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(errorOf(json1).code, 'LB_ERR_INVALID_ARGUMENT');
  });
  it('refuses an image above the pixel limit', async () => {
    const small = await buildApp(fx.lb, { maxUploadBytes: 5_000_000, maxPixels: 1_000_000 });
    try {
      // A one-colour 1500×1500 PNG is a few KB on disk but 2.25 Mpx.
      const bomb = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: '#888888' } }).png({ compressionLevel: 9 }).toBuffer();
      assert.ok(bomb.length < 100_000);
      const r = await small.inject({ method: 'POST', url: '/api/similar', ...multipartBody({}, { name: 'bomb.png', type: 'image/png', data: bomb }) });
      assert.equal(r.statusCode, 422, r.body);
      assert.equal(errorOf(r).code, 'LB_ERR_IMAGE_TOO_LARGE');
    } finally {
      await small.close();
    }
  });
});

describe('no 5xx', () => {
  it('none of the requests above produced a server error', async () => {
    const m = (await app.inject('/metrics')).json();
    assert.equal(m.requests.byStatus['5xx'] ?? 0, 0, JSON.stringify(m.requests.byRoute));
  });
});
