/**
 * Shared by the real-data test and evals/colour-names.ts: reading fashion-small's styles.csv, decoding an
 * image into the RGB raster extractAttributes expects (sharp, ≤128 px, flattened on white), and mapping
 * the catalogue's baseColour labels onto this module's names and families.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import type { RgbRaster } from './index.ts';
import { colourFamily, type ColourFamily } from './colour/names.ts';

export interface StyleRow {
  id: string;
  baseColour: string;
  articleType: string;
  masterCategory: string;
  productDisplayName: string;
}

export function readStyles(datasetDir: string): StyleRow[] {
  const text = fs.readFileSync(path.join(datasetDir, 'styles.csv'), 'utf8');
  const rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return rows.map((r) => ({
    id: r.id ?? '',
    baseColour: r.baseColour ?? '',
    articleType: r.articleType ?? '',
    masterCategory: r.masterCategory ?? '',
    productDisplayName: r.productDisplayName ?? '',
  }));
}

/** Decodes an image file to a packed RGB raster, longest side ≤ maxSide, alpha flattened on white. */
export async function loadRaster(file: string, maxSide = 128): Promise<RgbRaster> {
  const { data, info } = await sharp(file)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels} for ${file}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Deterministic 32-bit FNV-1a hash (used to split ids into dev/test halves). */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 'dev' ids are for sanity-tuning anchors and thresholds; 'test' ids only for reporting. */
export function splitOf(id: string): 'dev' | 'test' {
  return hashId(id) % 2 === 0 ? 'dev' : 'test';
}

/** Catalogue labels (fashion-small baseColour) that are clear, single colours, with the family they belong to. */
export const CLEAR_LABEL_FAMILY: Readonly<Record<string, ColourFamily>> = {
  Black: 'black',
  White: 'white',
  Blue: 'blue',
  'Navy Blue': 'blue',
  Red: 'red',
  Green: 'green',
  Grey: 'grey',
  Pink: 'pink',
  Yellow: 'yellow',
  Purple: 'purple',
  Brown: 'brown',
  Maroon: 'red',
  Orange: 'orange',
  Beige: 'neutral-light',
  Olive: 'green',
};

/** Does a predicted colour name match a catalogue label exactly (same name, case-insensitive)? */
export function sameName(predicted: string, label: string): boolean {
  return predicted.toLowerCase() === label.toLowerCase();
}

/** Does a predicted name fall in the label's family? */
export function sameFamily(predicted: string, label: string): boolean {
  const fam = CLEAR_LABEL_FAMILY[label] ?? colourFamily(label);
  return fam !== undefined && colourFamily(predicted) === fam;
}
