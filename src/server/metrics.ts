/**
 * Request counters and a latency summary (percentiles over the most recent requests, kept in a ring
 * buffer so memory stays bounded), exposed at GET /metrics together with catalogue counts.
 */
import type { FastifyInstance } from 'fastify';

const WINDOW = 10_000;

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class RequestMetrics {
  readonly startedAt = Date.now();
  total = 0;
  byStatus: Record<string, number> = {};
  byRoute: Record<string, { count: number; errors: number; totalMs: number }> = {};
  #ring = new Float64Array(WINDOW);
  #n = 0;

  record(route: string, status: number, ms: number): void {
    this.total++;
    const cls = `${Math.floor(status / 100)}xx`;
    this.byStatus[cls] = (this.byStatus[cls] ?? 0) + 1;
    const r = (this.byRoute[route] ??= { count: 0, errors: 0, totalMs: 0 });
    r.count++;
    r.totalMs += ms;
    if (status >= 400) r.errors++;
    this.#ring[this.#n % WINDOW] = ms;
    this.#n++;
  }

  latency(): LatencySummary {
    const n = Math.min(this.#n, WINDOW);
    if (n === 0) return { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
    const xs = Float64Array.from(this.#ring.subarray(0, n)).sort();
    const q = (p: number) => xs[Math.min(n - 1, Math.floor(p * n))]!;
    let sum = 0;
    for (const x of xs) sum += x;
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return { count: n, meanMs: r3(sum / n), p50Ms: r3(q(0.5)), p90Ms: r3(q(0.9)), p99Ms: r3(q(0.99)), maxMs: r3(xs[n - 1]!) };
  }

  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
      this.record(route, reply.statusCode, reply.elapsedTime);
    });
  }
}
