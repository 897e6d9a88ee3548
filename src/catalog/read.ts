/**
 * Reads a catalogue: a metadata file (CSV, JSON array, or JSON Lines) plus a folder of images.
 * Bad rows are reported with their row number and reason; the rest goes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LookbookError } from '../errors.ts';
import type { Item } from '../types.ts';
import { resolveMapping, type ColumnMapping } from './mapping.ts';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.avif', '.gif', '.tif', '.tiff'];
/** Metadata files above this size are refused (override with maxMetadataBytes). */
export const DEFAULT_MAX_METADATA_BYTES = 512 * 1024 * 1024;

export interface RowProblem {
  /** 1-based data row (header excluded) or JSON array index + 1. */
  row: number;
  id?: string;
  reason: string;
}

export interface CatalogueReadResult {
  file: string;
  imagesDir: string;
  mapping: ColumnMapping;
  columns: string[];
  items: Item[];
  problems: RowProblem[];
}

export interface ReadCatalogueOptions {
  /** CSV / JSON / JSONL metadata file. */
  metadata: string;
  /** Folder the image paths are relative to (default: an images/ folder beside the metadata if there is one, else the metadata's folder). */
  imagesDir?: string;
  mapping?: ColumnMapping;
  maxMetadataBytes?: number;
  /** Read only the first N valid rows (sampling for demos/tests). */
  limit?: number;
}

type Row = Record<string, unknown>;

function readRows(file: string): { rows: Row[]; columns: string[]; rowErrors: RowProblem[] } {
  const text = fs.readFileSync(file, 'utf8');
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') {
    let rows: Row[];
    try {
      if (ext === '.json') {
        const data = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
        const arr = Array.isArray(data) ? data : (data as { items?: unknown })?.items;
        if (!Array.isArray(arr)) throw new Error('expected an array of objects or {"items": [...]}');
        rows = arr as Row[];
      } else {
        rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
      }
    } catch (e) {
      throw new LookbookError('LB_ERR_CATALOGUE_FORMAT', `${file} is not valid JSON: ${(e as Error).message}`, { subject: file, cause: e });
    }
    const columns = [...new Set(rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    return { rows, columns, rowErrors: [] };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Accept any mix of line endings (a CRLF header with LF rows is common after appending to a file).
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, record_delimiter: ['\r\n', '\n', '\r'] }) as never;
  } catch (e) {
    throw new LookbookError('LB_ERR_CATALOGUE_FORMAT', `${file} is not valid CSV: ${(e as Error).message}`, { subject: file, cause: e });
  }
  if (records.length === 0) throw new LookbookError('LB_ERR_CATALOGUE_FORMAT', `${file} is empty`, { subject: file });
  const header = records[0]!.record.map((h) => h.trim());
  const rows: Row[] = [];
  const rowErrors: RowProblem[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record } = records[i]!;
    if (record.length !== header.length) {
      rowErrors.push({ row: i, reason: `has ${record.length} fields, header has ${header.length}` });
      rows.push(null as unknown as Row); // keep row numbering aligned
      continue;
    }
    rows.push(Object.fromEntries(header.map((h, j) => [h, record[j]])));
  }
  return { rows, columns: header, rowErrors };
}

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v.trim() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s === '' ? null : s;
}

/** Finds an image for a row: the mapped path (absolute, relative, or by base name), else <imagesDir>/<id>.<ext>. */
export function locateImage(imagesDir: string, id: string, value: string | null): string | null {
  const candidates: string[] = [];
  if (value) {
    candidates.push(path.isAbsolute(value) ? value : path.join(imagesDir, value));
    candidates.push(path.join(imagesDir, path.basename(value)));
  } else {
    for (const ext of IMAGE_EXTENSIONS) candidates.push(path.join(imagesDir, id + ext));
  }
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return null;
}

export function readCatalogue(opts: ReadCatalogueOptions): CatalogueReadResult {
  const file = path.resolve(opts.metadata);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new LookbookError('LB_ERR_CATALOGUE_FORMAT', `metadata file not found: ${file}`, { subject: file, cause: e });
  }
  const max = opts.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  if (stat.size > max) {
    throw new LookbookError('LB_ERR_PAYLOAD_TOO_LARGE', `${file} is ${stat.size} bytes, over the ${max}-byte limit`, { subject: file });
  }
  const dir = path.dirname(file);
  const imagesDir = path.resolve(opts.imagesDir ?? (fs.existsSync(path.join(dir, 'images')) ? path.join(dir, 'images') : dir));
  const { rows, columns, rowErrors } = readRows(file);
  const mapping = resolveMapping(columns, opts.mapping ?? {}, file);
  const problems: RowProblem[] = [...rowErrors];
  const firstRow = new Map<string, number>();
  const items: Item[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null) continue;
    const rowNo = i + 1;
    if (typeof r !== 'object' || Array.isArray(r)) {
      problems.push({ row: rowNo, reason: 'is not an object' });
      continue;
    }
    const id = str(r[mapping.id]);
    if (!id) {
      problems.push({ row: rowNo, reason: `empty id (column ${mapping.id})` });
      continue;
    }
    const seen = firstRow.get(id);
    if (seen !== undefined) {
      problems.push({ row: rowNo, id, reason: `duplicate id, first seen on row ${seen}; this row was skipped` });
      continue;
    }
    firstRow.set(id, rowNo);
    let price: number | null = null;
    const rawPrice = mapping.price ? str(r[mapping.price]) : null;
    if (rawPrice !== null) {
      const cleaned = rawPrice.replace(/[^0-9.\-]/g, '');
      price = /[0-9]/.test(cleaned) ? Number(cleaned) : Number.NaN;
      if (!Number.isFinite(price)) {
        problems.push({ row: rowNo, id, reason: `price "${rawPrice}" is not a number; price left empty` });
        price = null;
      }
    }
    const meta: Record<string, string> = {};
    for (const c of columns) {
      const v = str(r[c]);
      if (v !== null) meta[c] = v;
    }
    const imageValue = mapping.image ? str(r[mapping.image]) : null;
    items.push({
      id,
      imagePath: locateImage(imagesDir, id, imageValue),
      contentHash: null,
      title: mapping.title ? str(r[mapping.title]) : null,
      category: mapping.category ? str(r[mapping.category]) : null,
      colour: mapping.colour ? str(r[mapping.colour]) : null,
      gender: mapping.gender ? str(r[mapping.gender]) : null,
      price,
      meta,
    });
    if (opts.limit !== undefined && items.length >= opts.limit) break;
  }
  return { file, imagesDir, mapping, columns, items, problems };
}
