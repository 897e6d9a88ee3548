/**
 * Background jobs (JobManager, /api/jobs, /api/ingest) and the events → recommender → recommendations
 * path over HTTP. No CNN needed: items are created through the JSON API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './index.ts';
import { JobManager, type Job } from './jobs.ts';
import { ingestedFixture, type Fixture } from './test-fixture.ts';

describe('JobManager', () => {
  it('runs jobs of one queue one after another and records progress, results and failures', async () => {
    const jobs = new JobManager();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = jobs.submit('train:x', {}, async ({ onProgress }) => {
      order.push('a start');
      onProgress({ status: 'start', task: 'a', total: 4 });
      onProgress({ status: 'progress', task: 'a', done: 2, total: 4 });
      await gate;
      order.push('a end');
      return { ok: 1 };
    });
    const b = jobs.submit('train:x', {}, async () => {
      order.push('b start');
      throw new Error('boom');
    });
    const other = jobs.submit('ingest', {}, async () => {
      order.push('other');
      return 2;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(jobs.get(a.id)!.state, 'running');
    assert.equal(jobs.get(a.id)!.progress.fraction, 0.5);
    assert.equal(jobs.get(b.id)!.state, 'queued', 'same queue waits');
    assert.equal(jobs.get(other.id)!.state, 'succeeded', 'another queue does not wait');
    release();
    await jobs.idle();
    assert.deepEqual(order, ['a start', 'other', 'a end', 'b start']);
    assert.equal(jobs.get(a.id)!.state, 'succeeded');
    assert.deepEqual(jobs.get(a.id)!.result, { ok: 1 });
    const failed = jobs.get(b.id)!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'LB_ERR_INTERNAL');
    assert.match(failed.error!.message, /boom/);
    assert.ok(failed.finishedAt! >= failed.startedAt!);
  });
});

describe('jobs and users over HTTP', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  const json = { 'content-type': 'application/json' };
  const post = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(body) });
  const waitJob = async (id: string): Promise<Job> => {
    for (;;) {
      const j = (await app.inject(`/api/jobs/${id}`)).json().job as Job;
      if (j.state !== 'queued' && j.state !== 'running') return j;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  before(async () => {
    fx = await ingestedFixture({ ingest: false });
    app = await buildApp(fx.lb);
    for (const [id, category] of [['a', 'Shirts'], ['b', 'Shirts'], ['c', 'Shoes'], ['d', 'Shoes']]) {
      assert.equal((await post('/api/items', { id, title: `Item ${id}`, category })).statusCode, 201);
    }
  });
  after(async () => {
    await app?.close();
    await fx?.cleanup();
  });

  it('records events and rejects bad ones', async () => {
    const events = [['u1', 'a'], ['u1', 'b'], ['u2', 'a'], ['u2', 'c'], ['u3', 'a'], ['u3', 'b'], ['u3', 'd']];
    let t = Date.UTC(2024, 0, 1);
    for (const [userId, itemId] of events) {
      const r = await post('/api/events', { userId, itemId, kind: 'purchase', timestamp: (t += 1000) });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().recorded, true);
    }
    assert.equal((await post('/api/events', { userId: 'u1', itemId: 'a', kind: 'purchase', timestamp: Date.UTC(2024, 0, 1) + 1000 })).json().recorded, false, 'duplicates are stored once');
    assert.equal((await post('/api/events', { userId: 'u1', itemId: 'zzz', kind: 'like' })).json().error.code, 'LB_ERR_NOT_FOUND');
    assert.equal((await post('/api/events', { userId: 'u1', kind: 'like' })).json().error.code, 'LB_ERR_INVALID_ARGUMENT');
    assert.equal((await post('/api/events', { userId: 'u1', itemId: 'a', kind: 'like', value: 'high' })).json().error.code, 'LB_ERR_INVALID_ARGUMENT');
    const mine = (await app.inject('/api/users/u1/events')).json().events;
    assert.equal(mine.length, 2);
  });

  it('recommendations need a model or liked items with features, then a trained recommender answers', async () => {
    const none = (await app.inject('/api/users/u1/recommendations')).json();
    assert.equal(none.error.code, 'LB_ERR_NO_FEATURES', 'these items have no images, so no style profile either');
    const bad = await post('/api/jobs/train', { kind: 'recommender', options: { model: 'nope' } });
    assert.equal(bad.statusCode, 400);
    const r = await post('/api/jobs/train', { kind: 'recommender', options: { model: 'item-knn' } });
    assert.equal(r.statusCode, 202, r.body);
    assert.equal(r.headers.location, `/api/jobs/${r.json().job.id}`);
    const job = await waitJob(r.json().job.id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const recs = (await app.inject('/api/users/u1/recommendations?k=2')).json();
    assert.equal(recs.mode, 'model');
    assert.ok(recs.results.length > 0);
    const seen = new Set(['a', 'b']);
    assert.ok(recs.results.every((x: { item: { id: string } }) => !seen.has(x.item.id)), 'seen items are left out');
    assert.ok((await app.inject('/api/models')).json().models.some((m: { name: string }) => m.name === 'recommender'));
  });

  it('an ingest job of a missing file fails with the catalogue error; unknown jobs are 404', async () => {
    const r = await post('/api/ingest', { metadata: '/nonexistent/catalogue.csv' });
    assert.equal(r.statusCode, 202);
    const job = await waitJob(r.json().job.id);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'LB_ERR_CATALOGUE_FORMAT');
    assert.equal((await post('/api/ingest', { metadata: 42, extra: 1 })).statusCode, 400);
    assert.equal((await app.inject('/api/jobs/not-a-job')).json().error.code, 'LB_ERR_NOT_FOUND');
    assert.ok((await app.inject('/api/jobs')).json().jobs.length >= 2);
  });

  it('style and outfit routes answer 409 LB_ERR_MODEL_MISSING before training, not 5xx', async () => {
    assert.equal((await app.inject('/api/items/a/style')).json().error.code, 'LB_ERR_MODEL_MISSING');
    assert.equal((await app.inject('/api/items/a/complete-the-look')).json().error.code, 'LB_ERR_MODEL_MISSING');
    assert.equal((await post('/api/outfits/score', { itemIds: ['a', 'c'] })).json().error.code, 'LB_ERR_MODEL_MISSING');
    assert.equal((await post('/api/outfits/score', { itemIds: ['a'] })).json().error.code, 'LB_ERR_INVALID_ARGUMENT');
    const m = (await app.inject('/metrics')).json();
    assert.equal(m.requests.byStatus['5xx'] ?? 0, 0);
  });
});
