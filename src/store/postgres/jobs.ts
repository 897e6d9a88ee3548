/**
 * The distributed ingest job table (PostgreSQL store only). One job per (backbone, content hash): the same
 * image bytes are embedded once however many items share them. Workers claim disjoint batches with
 * `FOR UPDATE SKIP LOCKED` and a lease (claimed_by, lease_until, in database time); a job whose lease has
 * expired (its worker died or stalled) is claimable again. Completing checks the claim, so a worker that
 * lost its lease cannot overwrite another's result.
 */
import type pg from 'pg';
import { LookbookError } from '../../errors.ts';
import type { Item } from '../../types.ts';
import { Params, wrapPg } from './sql.ts';

export interface IngestJob {
  backbone: string;
  contentHash: string;
  path: string;
  /** The catalogue items whose image has these bytes. */
  items: Item[];
  attempts: number;
}

export interface JobCounts {
  pending: number;
  claimed: number;
  /** Claimed jobs whose lease has run out (claimable again). */
  expired: number;
  done: number;
  failed: number;
}

export interface ClaimOptions {
  workerId: string;
  backbone: string;
  limit: number;
  leaseSeconds: number;
  /** Jobs claimed this many times are given up on (default 5). */
  maxAttempts?: number;
}

export class JobQueue {
  readonly #pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async #q(what: string, sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.#pool.query(sql, params);
    } catch (e) {
      throw wrapPg(e, what);
    }
  }

  /**
   * Adds jobs; a job already present is left as it is unless it failed or `requeue` is set (then it is
   * pending again with its item list replaced). Returns how many jobs became pending.
   */
  async enqueue(jobs: Omit<IngestJob, 'attempts'>[], opts: { requeue?: boolean } = {}): Promise<number> {
    let n = 0;
    for (let s = 0; s < jobs.length; s += 500) {
      const p = new Params();
      const rows = jobs
        .slice(s, s + 500)
        .map((j) => `(${p.add(j.backbone)}, ${p.add(j.contentHash)}, ${p.add(j.path)}, ${p.add(JSON.stringify(j.items))}::jsonb)`);
      const cond = opts.requeue ? 'TRUE' : `ingest_jobs.status = 'failed'`;
      const r = await this.#q(
        'enqueue ingest jobs',
        `INSERT INTO ingest_jobs(backbone, content_hash, path, items) VALUES ${rows.join(',')}
         ON CONFLICT (backbone, content_hash) DO UPDATE SET path = excluded.path, items = excluded.items, status = 'pending',
           claimed_by = NULL, lease_until = NULL, attempts = 0, error = NULL, updated_at = now()
         WHERE ${cond}`,
        p.values,
      );
      n += r.rowCount ?? 0;
    }
    return n;
  }

  /** Claims up to `limit` pending (or lease-expired) jobs for this worker, oldest first. */
  async claim(o: ClaimOptions): Promise<IngestJob[]> {
    if (!o.workerId) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'workerId is required');
    if (!(o.leaseSeconds > 0) || !Number.isInteger(o.limit) || o.limit < 1) {
      throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'leaseSeconds must be > 0 and limit a positive integer');
    }
    const r = await this.#q(
      'claim ingest jobs',
      `UPDATE ingest_jobs j SET status = 'claimed', claimed_by = $2, attempts = j.attempts + 1, updated_at = now(),
         lease_until = clock_timestamp() + make_interval(secs => $4)
       FROM (SELECT backbone, content_hash FROM ingest_jobs
             WHERE backbone = $1 AND attempts < $5
               AND (status = 'pending' OR (status = 'claimed' AND lease_until < clock_timestamp()))
             ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED) c
       WHERE j.backbone = c.backbone AND j.content_hash = c.content_hash
       RETURNING j.backbone, j.content_hash, j.path, j.items, j.attempts`,
      [o.backbone, o.workerId, o.limit, o.leaseSeconds, o.maxAttempts ?? 5],
    );
    return r.rows.map((row) => ({ backbone: row.backbone, contentHash: row.content_hash, path: row.path, items: row.items, attempts: Number(row.attempts) }));
  }

  /** Extends this worker's leases on the given jobs. Returns how many it still holds. */
  async renew(workerId: string, backbone: string, hashes: string[], leaseSeconds: number): Promise<number> {
    if (!hashes.length) return 0;
    const r = await this.#q(
      'renew ingest leases',
      `UPDATE ingest_jobs SET lease_until = clock_timestamp() + make_interval(secs => $4)
       WHERE backbone = $1 AND claimed_by = $2 AND status = 'claimed' AND content_hash = ANY($3::text[])`,
      [backbone, workerId, hashes, leaseSeconds],
    );
    return r.rowCount ?? 0;
  }

  /** Marks jobs done (or failed with a reason) if this worker still holds them. Returns how many. */
  async finish(workerId: string, backbone: string, results: { contentHash: string; error?: string }[]): Promise<number> {
    if (!results.length) return 0;
    const r = await this.#q(
      'finish ingest jobs',
      `UPDATE ingest_jobs j SET status = CASE WHEN u.error IS NULL THEN 'done' ELSE 'failed' END, error = u.error,
         lease_until = NULL, updated_at = now()
       FROM unnest($3::text[], $4::text[]) AS u(content_hash, error)
       WHERE j.backbone = $1 AND j.claimed_by = $2 AND j.status = 'claimed' AND j.content_hash = u.content_hash`,
      [backbone, workerId, results.map((x) => x.contentHash), results.map((x) => x.error ?? null)],
    );
    return r.rowCount ?? 0;
  }

  /** Gives back this worker's unfinished claims (e.g. on a clean shutdown). */
  async release(workerId: string, backbone: string, hashes: string[]): Promise<number> {
    if (!hashes.length) return 0;
    const r = await this.#q(
      'release ingest jobs',
      `UPDATE ingest_jobs SET status = 'pending', claimed_by = NULL, lease_until = NULL, attempts = GREATEST(attempts - 1, 0)
       WHERE backbone = $1 AND claimed_by = $2 AND status = 'claimed' AND content_hash = ANY($3::text[])`,
      [backbone, workerId, hashes],
    );
    return r.rowCount ?? 0;
  }

  /** Fails claimed-and-expired jobs that have used up their attempts (a poison image that kills workers). */
  async giveUp(backbone: string, maxAttempts = 5): Promise<number> {
    const r = await this.#q(
      'give up ingest jobs',
      `UPDATE ingest_jobs SET status = 'failed', error = 'gave up after ' || attempts || ' attempts (worker died or timed out)', lease_until = NULL
       WHERE backbone = $1 AND status IN ('claimed', 'pending') AND attempts >= $2 AND (status = 'pending' OR lease_until < clock_timestamp())`,
      [backbone, maxAttempts],
    );
    return r.rowCount ?? 0;
  }

  async counts(backbone: string): Promise<JobCounts> {
    const r = await this.#q(
      'count ingest jobs',
      `SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending,
              COUNT(*) FILTER (WHERE status = 'claimed') AS claimed,
              COUNT(*) FILTER (WHERE status = 'claimed' AND lease_until < clock_timestamp()) AS expired,
              COUNT(*) FILTER (WHERE status = 'done') AS done,
              COUNT(*) FILTER (WHERE status = 'failed') AS failed
       FROM ingest_jobs WHERE backbone = $1`,
      [backbone],
    );
    const row = r.rows[0];
    return { pending: +row.pending, claimed: +row.claimed, expired: +row.expired, done: +row.done, failed: +row.failed };
  }

  /** Seconds until the earliest live lease of another worker runs out (null when none). */
  async nextExpiry(backbone: string): Promise<number | null> {
    const r = await this.#q(
      'ingest lease expiry',
      `SELECT EXTRACT(EPOCH FROM MIN(lease_until) - clock_timestamp()) AS s FROM ingest_jobs WHERE backbone = $1 AND status = 'claimed'`,
      [backbone],
    );
    const s = r.rows[0]?.s;
    return s === null || s === undefined ? null : Math.max(0, Number(s));
  }

  /** Failed jobs with their reasons. */
  async failures(backbone: string): Promise<{ contentHash: string; path: string; items: Item[]; error: string }[]> {
    const r = await this.#q('list failed ingest jobs', `SELECT content_hash, path, items, error FROM ingest_jobs WHERE backbone = $1 AND status = 'failed' ORDER BY seq`, [
      backbone,
    ]);
    return r.rows.map((row) => ({ contentHash: row.content_hash, path: row.path, items: row.items, error: row.error }));
  }
}
