/**
 * Readers turning the shared real data sets into interaction events (for evals, tests and benchmarks;
 * the data itself is never copied into the repo).
 * - RentTheRunway: each review is a rental (kind 'rent', value = rating 2..10, time = review date).
 * - Mango outfits: each outfit is a "user" whose items are its history (kind 'like', no time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LookbookError } from '../errors.ts';
import type { InteractionEvent } from '../types.ts';
import { readEventsCsv, type BadRow } from './import.ts';

export async function loadRentTheRunway(dir: string): Promise<{ events: InteractionEvent[]; bad: BadRow[]; badCount: number; rows: number }> {
  const r = await readEventsCsv(path.join(dir, 'interactions.csv'), {
    columns: { user: 'user_id', item: 'item_id', rating: 'rating', timestamp: 'review_date' },
    defaultKind: 'rent',
  });
  return { events: r.events, bad: r.bad, badCount: r.badCount, rows: r.rows };
}

/** Keeps the users with at least minEvents events (a denser, faster sample). */
export function activeUsers(events: InteractionEvent[], minEvents: number): InteractionEvent[] {
  const n = new Map<string, number>();
  for (const e of events) n.set(e.userId, (n.get(e.userId) ?? 0) + 1);
  return events.filter((e) => n.get(e.userId)! >= minEvents);
}

export interface MangoData {
  events: InteractionEvent[];
  /** Product rows: id → { category, family, colour, file }. */
  products: Map<string, { category: string; family: string; colour: string; file: string }>;
}

export function loadMangoOutfits(dir: string): MangoData {
  const read = (f: string) => {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new LookbookError('LB_ERR_DATA_MISSING', `missing ${p}`, { subject: p });
    return parse(fs.readFileSync(p), { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  };
  const products = new Map<string, { category: string; family: string; colour: string; file: string }>();
  for (const r of read('product_data.csv')) {
    products.set(r.cod_modelo_color!, {
      category: r.des_product_category ?? '',
      family: r.des_product_family ?? '',
      colour: r.des_agrup_color_eng ?? '',
      file: path.join(dir, 'images', path.basename(r.des_filename ?? '')),
    });
  }
  const events = read('outfit_data.csv').map((r) => ({ userId: `outfit-${r.cod_outfit}`, itemId: r.cod_modelo_color!, kind: 'like', value: null, timestamp: 0 }));
  return { events, products };
}
