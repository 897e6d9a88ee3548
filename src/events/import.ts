/**
 * Events import: a CSV with mapped columns (user, item, kind and/or rating, timestamp) is read row by
 * row; bad rows are reported with their row number and reason while the rest goes on; events on items
 * missing from the catalogue are reported and kept or dropped per option; storing goes through
 * `store.addEvents`, which is idempotent (re-importing a file adds nothing).
 */
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { LookbookError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { InteractionEvent } from '../types.ts';

export interface EventColumns {
  user: string;
  item: string;
  /** Column holding the event kind (view, like, purchase…). */
  kind?: string;
  /** Column holding an explicit rating (becomes `value`). */
  rating?: string;
  /** Column holding the time: ISO date/datetime, or epoch seconds / milliseconds. */
  timestamp?: string;
}

export interface ReadEventsOptions {
  columns: EventColumns;
  /** Kind for rows without a kind column: 'rating' when a rating column is mapped, else 'view'. */
  defaultKind?: string;
  /** Timestamp for files without a timestamp column (fixed, so re-imports stay idempotent). Default 0. */
  defaultTimestamp?: number;
  delimiter?: string;
  /** Keep at most this many bad-row entries in the report (all are counted). Default 1000. */
  maxBadReported?: number;
}

export interface BadRow {
  /** 1-based data row (the header is row 0). */
  row: number;
  reason: string;
}

export interface EventsReadResult {
  rows: number;
  events: InteractionEvent[];
  bad: BadRow[];
  badCount: number;
}

/** Parses a time cell; returns NaN when it cannot be read. */
export function parseTimestamp(s: string): number {
  const t = s.trim();
  if (t === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n < 1e11 ? n * 1000 : n; // seconds vs milliseconds
  }
  const d = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  return d;
}

/** Validates one event (shared by CSV import and one-at-a-time recording). Returns a reason or null. */
export function validateEvent(e: Partial<InteractionEvent>): string | null {
  if (!e.userId || !e.userId.trim()) return 'missing user id';
  if (!e.itemId || !e.itemId.trim()) return 'missing item id';
  if (!e.kind || !e.kind.trim()) return 'missing event kind';
  if (e.value !== null && e.value !== undefined && !Number.isFinite(e.value)) return `rating is not a number`;
  if (e.timestamp === undefined || !Number.isFinite(e.timestamp)) return 'unreadable timestamp';
  return null;
}

/** Reads and validates events from a CSV file (no store needed). */
export async function readEventsCsv(file: string, opts: ReadEventsOptions): Promise<EventsReadResult> {
  const { columns: c, maxBadReported = 1000 } = opts;
  const defaultKind = opts.defaultKind ?? (c.rating ? 'rating' : 'view');
  const events: InteractionEvent[] = [];
  const bad: BadRow[] = [];
  let badCount = 0;
  let rows = 0;
  if (!fs.existsSync(file)) throw new LookbookError('LB_ERR_EVENT_FORMAT', `events file not found: ${file}`, { subject: file });
  const parser = fs.createReadStream(file).pipe(
    parse({ columns: true, delimiter: opts.delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }),
  );
  let checkedHeader = false;
  try {
    for await (const rec of parser as AsyncIterable<Record<string, string | undefined>>) {
      if (!checkedHeader) {
        checkedHeader = true;
        for (const col of Object.values(c)) {
          if (col && !(col in rec)) throw new LookbookError('LB_ERR_EVENT_FORMAT', `column "${col}" not found in ${file}`, { subject: file, details: { columns: Object.keys(rec) } });
        }
      }
      rows++;
      const ratingCell = c.rating ? (rec[c.rating] ?? '') : '';
      const e: InteractionEvent = {
        userId: (rec[c.user] ?? '').trim(),
        itemId: (rec[c.item] ?? '').trim(),
        kind: c.kind ? (rec[c.kind] ?? '').trim().toLowerCase() : defaultKind,
        value: c.rating ? (ratingCell.trim() === '' ? NaN : Number(ratingCell)) : null,
        timestamp: c.timestamp ? parseTimestamp(rec[c.timestamp] ?? '') : (opts.defaultTimestamp ?? 0),
      };
      let reason = validateEvent(e);
      if (!reason && c.rating && Number.isNaN(e.value)) reason = `missing rating`;
      if (reason) {
        badCount++;
        if (bad.length < maxBadReported) bad.push({ row: rows, reason });
        continue;
      }
      events.push(e);
    }
  } catch (e) {
    if (e instanceof LookbookError) throw e;
    throw new LookbookError('LB_ERR_EVENT_FORMAT', `cannot parse ${file} after row ${rows}: ${(e as Error).message}`, { cause: e, subject: file });
  }
  return { rows, events, bad, badCount };
}

export interface ImportEventsOptions extends ReadEventsOptions {
  /** What to do with events whose item is not in the catalogue. Default 'keep'. */
  unknownItems?: 'keep' | 'drop';
  batchSize?: number;
}

export interface ImportEventsReport {
  file: string;
  rows: number;
  valid: number;
  /** Events new to the store (re-importing the same file gives 0). */
  added: number;
  /** Valid events already present. */
  duplicates: number;
  bad: BadRow[];
  badCount: number;
  unknownItems: { events: number; distinct: number; sample: string[]; action: 'keep' | 'drop' };
  users: number;
}

/** Imports a CSV of events into the store; see module doc. */
export async function importEventsCsv(store: Pick<Store, 'addEvents' | 'itemHashes'>, file: string, opts: ImportEventsOptions): Promise<ImportEventsReport> {
  const read = await readEventsCsv(file, opts);
  const action = opts.unknownItems ?? 'keep';
  const known = await store.itemHashes();
  const unknown = new Map<string, number>();
  const kept: InteractionEvent[] = [];
  for (const e of read.events) {
    if (!known.has(e.itemId)) {
      unknown.set(e.itemId, (unknown.get(e.itemId) ?? 0) + 1);
      if (action === 'drop') continue;
    }
    kept.push(e);
  }
  let added = 0;
  const batch = opts.batchSize ?? 5000;
  for (let s = 0; s < kept.length; s += batch) added += await store.addEvents(kept.slice(s, s + batch));
  let unknownEvents = 0;
  for (const n of unknown.values()) unknownEvents += n;
  return {
    file,
    rows: read.rows,
    valid: read.events.length,
    added,
    duplicates: kept.length - added,
    bad: read.bad,
    badCount: read.badCount,
    unknownItems: { events: unknownEvents, distinct: unknown.size, sample: [...unknown.keys()].slice(0, 10), action },
    users: new Set(kept.map((e) => e.userId)).size,
  };
}

/**
 * Records one event through the library (the HTTP route calls this too). Throws LB_ERR_INVALID_ARGUMENT
 * on an invalid event and LB_ERR_NOT_FOUND for an unknown item when `unknownItems` is 'reject'.
 * Returns true when the event was new.
 */
export async function recordEvent(
  store: Pick<Store, 'addEvents' | 'getItem'>,
  event: Omit<InteractionEvent, 'timestamp' | 'value'> & { timestamp?: number; value?: number | null },
  opts: { unknownItems?: 'keep' | 'reject' } = {},
): Promise<boolean> {
  const e: InteractionEvent = { ...event, kind: event.kind?.toLowerCase(), value: event.value ?? null, timestamp: event.timestamp ?? Date.now() };
  const reason = validateEvent(e);
  if (reason) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `invalid event: ${reason}`, { details: { event: e } });
  if (opts.unknownItems === 'reject' && !(await store.getItem(e.itemId))) {
    throw new LookbookError('LB_ERR_NOT_FOUND', `unknown item ${e.itemId}`, { subject: e.itemId });
  }
  return (await store.addEvents([e])) === 1;
}
