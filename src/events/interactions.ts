/**
 * Dense index maps (user id ↔ idx, item id ↔ idx) and a weighted user×item matrix in CSR form,
 * built from interaction events. This is what every recommender trains on.
 */
import { LookbookError } from '../errors.ts';
import type { InteractionEvent } from '../types.ts';
import { eventWeight, resolveWeights, type EventWeights } from './weights.ts';

export interface BuildOptions {
  weights?: Partial<EventWeights>;
  /**
   * The item universe, in order. Items listed here get an index even without events (cold items);
   * events on items not listed are dropped (and counted) when given, otherwise every event item is added.
   */
  itemIds?: string[];
  /** Same for users (rarely needed). */
  userIds?: string[];
}

export class InteractionData {
  readonly userIndex: Map<string, number>;
  readonly itemIndex: Map<string, number>;
  private colCache?: { indptr: Int32Array; indices: Int32Array; values: Float32Array };

  constructor(
    readonly userIds: string[],
    readonly itemIds: string[],
    /** CSR over users: row u holds items indices[indptr[u]..indptr[u+1]) sorted ascending. */
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    /** Summed event weight of each (user, item). */
    readonly values: Float32Array,
    /** Latest event time (ms) of each (user, item). */
    readonly times: Float64Array,
    /** Events dropped while building (unknown item, zero weight). */
    readonly dropped = 0,
  ) {
    this.userIndex = new Map(userIds.map((id, i) => [id, i]));
    this.itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  }

  get nUsers(): number {
    return this.userIds.length;
  }
  get nItems(): number {
    return this.itemIds.length;
  }
  get nnz(): number {
    return this.indices.length;
  }

  /** Item indices of one user's row (a view, do not modify). */
  userItems(u: number): Int32Array {
    return this.indices.subarray(this.indptr[u]!, this.indptr[u + 1]!);
  }
  userValues(u: number): Float32Array {
    return this.values.subarray(this.indptr[u]!, this.indptr[u + 1]!);
  }
  /** True when user u interacted with item i (binary search in the sorted row). */
  has(u: number, i: number): boolean {
    let lo = this.indptr[u]!;
    let hi = this.indptr[u + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.indices[mid]!;
      if (v === i) return true;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Column view (item → users), built once. */
  byItem(): { indptr: Int32Array; indices: Int32Array; values: Float32Array } {
    if (this.colCache) return this.colCache;
    const n = this.nItems;
    const indptr = new Int32Array(n + 1);
    for (const i of this.indices) indptr[i + 1]!++;
    for (let i = 0; i < n; i++) indptr[i + 1]! += indptr[i]!;
    const fill = indptr.slice(0, n);
    const indices = new Int32Array(this.nnz);
    const values = new Float32Array(this.nnz);
    for (let u = 0; u < this.nUsers; u++) {
      for (let p = this.indptr[u]!; p < this.indptr[u + 1]!; p++) {
        const i = this.indices[p]!;
        const q = fill[i]!++;
        indices[q] = u;
        values[q] = this.values[p]!;
      }
    }
    this.colCache = { indptr, indices, values };
    return this.colCache;
  }

  /** Same users and items, keeping only the entries p where keep(p) is true. */
  subset(keep: (p: number) => boolean): InteractionData {
    const indptr = new Int32Array(this.nUsers + 1);
    const idx: number[] = [];
    for (let u = 0; u < this.nUsers; u++) {
      for (let p = this.indptr[u]!; p < this.indptr[u + 1]!; p++) if (keep(p)) idx.push(p);
      indptr[u + 1] = idx.length;
    }
    return new InteractionData(
      this.userIds,
      this.itemIds,
      indptr,
      Int32Array.from(idx, (p) => this.indices[p]!),
      Float32Array.from(idx, (p) => this.values[p]!),
      Float64Array.from(idx, (p) => this.times[p]!),
    );
  }

  /** Number of users who interacted with each item. */
  itemCounts(): Int32Array {
    const c = new Int32Array(this.nItems);
    for (const i of this.indices) c[i]!++;
    return c;
  }

  /** Builds the matrix from events; (user,item) weights are summed, times keep the latest. */
  static fromEvents(events: Iterable<InteractionEvent>, opts: BuildOptions = {}): InteractionData {
    const w = resolveWeights(opts.weights);
    const fixedItems = opts.itemIds !== undefined;
    const fixedUsers = opts.userIds !== undefined;
    const itemIds = [...(opts.itemIds ?? [])];
    const userIds = [...(opts.userIds ?? [])];
    const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
    const userIndex = new Map(userIds.map((id, i) => [id, i]));
    if (itemIndex.size !== itemIds.length) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'itemIds contains duplicates');
    const rows: Map<number, { w: number; t: number }>[] = userIds.map(() => new Map());
    let dropped = 0;
    for (const e of events) {
      const weight = eventWeight(e, w);
      if (!(weight > 0)) {
        dropped++;
        continue;
      }
      let i = itemIndex.get(e.itemId);
      if (i === undefined) {
        if (fixedItems) {
          dropped++;
          continue;
        }
        i = itemIds.length;
        itemIds.push(e.itemId);
        itemIndex.set(e.itemId, i);
      }
      let u = userIndex.get(e.userId);
      if (u === undefined) {
        if (fixedUsers) {
          dropped++;
          continue;
        }
        u = userIds.length;
        userIds.push(e.userId);
        userIndex.set(e.userId, u);
        rows.push(new Map());
      }
      const row = rows[u]!;
      const cell = row.get(i);
      if (cell) {
        cell.w += weight;
        cell.t = Math.max(cell.t, e.timestamp);
      } else row.set(i, { w: weight, t: e.timestamp });
    }
    let nnz = 0;
    for (const r of rows) nnz += r.size;
    const indptr = new Int32Array(userIds.length + 1);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    const times = new Float64Array(nnz);
    let p = 0;
    rows.forEach((row, u) => {
      const keys = [...row.keys()].sort((a, b) => a - b);
      for (const i of keys) {
        const cell = row.get(i)!;
        indices[p] = i;
        values[p] = cell.w;
        times[p] = cell.t;
        p++;
      }
      indptr[u + 1] = p;
    });
    return new InteractionData(userIds, itemIds, indptr, indices, values, times, dropped);
  }
}
