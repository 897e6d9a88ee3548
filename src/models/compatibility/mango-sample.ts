/**
 * A small real sample of the mango outfits data set for tests: the `nItems` items used most often
 * in outfits, the outfits restricted to them (≥ 3 items left), and light image features.
 * Reads ../shared/data only; nothing is copied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Outfit } from '../../types.ts';
import type { CompatItems } from './data.ts';
import { IMAGE_FEATURE_DIM, imageFeatures } from './image-features.ts';

export async function mangoSample(root: string, nItems = 400, categoryColumn = 'des_product_family'): Promise<{ items: CompatItems; outfits: Outfit[] }> {
  const products = parse(fs.readFileSync(path.join(root, 'product_data.csv')), { columns: true }) as Record<string, string>[];
  const rows = parse(fs.readFileSync(path.join(root, 'outfit_data.csv')), { columns: true }) as Record<string, string>[];
  const byOutfit = new Map<string, string[]>();
  for (const r of rows) {
    let l = byOutfit.get(r.cod_outfit);
    if (!l) byOutfit.set(r.cod_outfit, (l = []));
    l.push(r.cod_modelo_color);
  }
  const uses = new Map<string, number>();
  for (const ids of byOutfit.values()) for (const id of ids) uses.set(id, (uses.get(id) ?? 0) + 1);
  const top = [...uses.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, nItems).map(([id]) => id);
  const keep = new Set(top);
  const product = new Map(products.map((p) => [p.cod_modelo_color, p]));
  const vectors = new Float32Array(top.length * IMAGE_FEATURE_DIM);
  for (let i = 0; i < top.length; i++) {
    const file = path.join(root, product.get(top[i])!.des_filename.replace(/^datathon\//, ''));
    vectors.set(await imageFeatures(file), i * IMAGE_FEATURE_DIM);
  }
  const outfits: Outfit[] = [];
  for (const [id, ids] of byOutfit) {
    const kept = ids.filter((x) => keep.has(x));
    if (kept.length >= 3) outfits.push({ id, itemIds: kept });
  }
  return {
    items: { ids: top, categories: top.map((id) => product.get(id)?.[categoryColumn] ?? null), dim: IMAGE_FEATURE_DIM, vectors },
    outfits,
  };
}
