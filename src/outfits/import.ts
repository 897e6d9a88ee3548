/**
 * Outfit files → validated outfits. Two formats:
 *  - CSV, one row per (outfit, item): columns `outfit_id,item_id` by default, any names via `columns`
 *    (the mango data set's `cod_outfit,cod_modelo_color` is recognised without a mapping);
 *  - JSON: `[{ "id": "o1", "items": ["a", "b", …] }, …]` (or `{ "outfits": [...] }`).
 * Validation against the catalogue never drops anything silently: each unknown or duplicate item is
 * reported (outfit id, item id, reason), and so is each outfit left with fewer than 2 known items.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LookbookError } from '../errors.ts';
import type { Outfit } from '../types.ts';
import type { Store } from '../store/store.ts';

export interface OutfitColumns {
  outfitId: string;
  itemId: string;
}
export const DEFAULT_OUTFIT_COLUMNS: OutfitColumns = { outfitId: 'outfit_id', itemId: 'item_id' };
/** Column names of /shared/data/mango-outfits-2023/outfit_data.csv. */
export const MANGO_OUTFIT_COLUMNS: OutfitColumns = { outfitId: 'cod_outfit', itemId: 'cod_modelo_color' };

export interface OutfitParseOptions {
  /** Default: from the extension (.json → json, anything else csv). */
  format?: 'csv' | 'json';
  /** CSV column names; when omitted, outfit_id/item_id or the mango names, whichever the header has. */
  columns?: Partial<OutfitColumns>;
}

export interface OutfitProblem {
  outfitId: string;
  itemId?: string;
  reason: string;
}

export interface OutfitValidation {
  /** Outfits with ≥ 2 known items, unknown and duplicate items removed. */
  outfits: Outfit[];
  /** Item-level problems (unknown item, duplicate item, empty id). */
  problems: OutfitProblem[];
  /** Outfits not kept, with the reason. */
  rejected: OutfitProblem[];
}

export interface OutfitImportReport extends OutfitValidation {
  file: string;
  parsedOutfits: number;
  parsedRows: number;
}

const fail = (file: string, message: string, details?: Record<string, unknown>, cause?: unknown) =>
  new LookbookError('LB_ERR_OUTFIT_FORMAT', `${path.basename(file)}: ${message}`, { subject: file, details, cause });

/** Reads an outfit file. Rows with an empty outfit id are kept under id '' and reported by validateOutfits. */
export function parseOutfitFile(file: string, opts: OutfitParseOptions = {}): { outfits: Outfit[]; rows: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw fail(file, 'cannot read the outfit file', undefined, e);
  }
  const format = opts.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  return format === 'json' ? parseJson(file, text) : parseCsv(file, text, opts.columns);
}

function parseCsv(file: string, text: string, columns?: Partial<OutfitColumns>): { outfits: Outfit[]; rows: number } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw fail(file, `not a valid CSV file (${(e as Error).message})`, undefined, e);
  }
  const header = records.length > 0 ? Object.keys(records[0]) : headerOf(text);
  const guess = [DEFAULT_OUTFIT_COLUMNS, MANGO_OUTFIT_COLUMNS].find((c) => header.includes(c.outfitId) && header.includes(c.itemId)) ?? DEFAULT_OUTFIT_COLUMNS;
  const cols: OutfitColumns = { ...guess, ...stripUndefined(columns ?? {}) };
  for (const [role, name] of Object.entries(cols)) {
    if (!header.includes(name)) {
      throw fail(file, `missing column "${name}" (${role}); the header has: ${header.join(', ') || '(nothing)'}`, { missingColumn: name, header });
    }
  }
  const byId = new Map<string, string[]>();
  for (const r of records) {
    const oid = r[cols.outfitId] ?? '';
    let l = byId.get(oid);
    if (!l) byId.set(oid, (l = []));
    l.push(r[cols.itemId] ?? '');
  }
  return { outfits: [...byId].map(([id, itemIds]) => ({ id, itemIds })), rows: records.length };
}

function parseJson(file: string, text: string): { outfits: Outfit[]; rows: number } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail(file, `not valid JSON (${(e as Error).message})`, undefined, e);
  }
  const list = Array.isArray(data) ? data : (data as { outfits?: unknown })?.outfits;
  if (!Array.isArray(list)) throw fail(file, 'expected an array of {id, items} (or {"outfits": [...]})');
  const outfits: Outfit[] = [];
  let rows = 0;
  list.forEach((o, i) => {
    const rec = o as { id?: unknown; items?: unknown; itemIds?: unknown };
    const items = rec?.items ?? rec?.itemIds;
    if (rec == null || typeof rec !== 'object') throw fail(file, `entry ${i} is not an object`, { index: i });
    if (rec.id === undefined || rec.id === null || rec.id === '') throw fail(file, `entry ${i} has no "id"`, { index: i, missingColumn: 'id' });
    if (!Array.isArray(items)) throw fail(file, `outfit ${String(rec.id)} (entry ${i}) has no "items" array`, { index: i, missingColumn: 'items' });
    outfits.push({ id: String(rec.id), itemIds: items.map((x) => (x == null ? '' : String(x))) });
    rows += items.length;
  });
  return { outfits, rows };
}

/** Checks outfits against the catalogue (`isKnown`). Duplicate outfit ids are merged and reported. */
export function validateOutfits(outfits: Outfit[], isKnown: (itemId: string) => boolean): OutfitValidation {
  const problems: OutfitProblem[] = [];
  const rejected: OutfitProblem[] = [];
  const merged = new Map<string, string[]>();
  for (const o of outfits) {
    const prev = merged.get(o.id);
    if (prev) {
      problems.push({ outfitId: o.id, reason: 'outfit id appears more than once: items merged' });
      prev.push(...o.itemIds);
    } else merged.set(o.id, [...o.itemIds]);
  }
  const valid: Outfit[] = [];
  for (const [id, itemIds] of merged) {
    if (id === '') {
      rejected.push({ outfitId: '', reason: `${itemIds.length} row(s) have an empty outfit id` });
      continue;
    }
    const kept: string[] = [];
    for (const item of itemIds) {
      if (item === '') problems.push({ outfitId: id, itemId: '', reason: 'empty item id' });
      else if (kept.includes(item)) problems.push({ outfitId: id, itemId: item, reason: 'duplicate item in outfit (kept once)' });
      else if (!isKnown(item)) problems.push({ outfitId: id, itemId: item, reason: 'unknown item (not in the catalogue)' });
      else kept.push(item);
    }
    if (kept.length < 2) rejected.push({ outfitId: id, reason: `only ${kept.length} known item(s) of ${itemIds.length}; an outfit needs at least 2` });
    else valid.push({ id, itemIds: kept });
  }
  return { outfits: valid, problems, rejected };
}

/** Parses, validates against the store's catalogue and stores the valid outfits. */
export async function importOutfits(store: Store, file: string, opts: OutfitParseOptions = {}): Promise<OutfitImportReport> {
  const { outfits, rows } = parseOutfitFile(file, opts);
  const ids = [...new Set(outfits.flatMap((o) => o.itemIds).filter((x) => x !== ''))];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) for (const it of await store.getItems(ids.slice(i, i + 1000))) known.add(it.id);
  const v = validateOutfits(outfits, (id) => known.has(id));
  if (v.outfits.length > 0) await store.putOutfits(v.outfits);
  return { file, parsedOutfits: outfits.length, parsedRows: rows, ...v };
}

function headerOf(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return first.split(',').map((h) => h.trim().replace(/^"|"$/g, '')).filter((h) => h !== '');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
