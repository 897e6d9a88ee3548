/**
 * Column mapping: which metadata column holds the id, the image path and the typed fields.
 * Unset fields are detected from common names (case-insensitive); every other column is kept as metadata.
 */
import { LookbookError } from '../errors.ts';

export const MAPPED_FIELDS = ['id', 'image', 'title', 'category', 'colour', 'gender', 'price'] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];
export type ColumnMapping = Partial<Record<MappedField, string>>;

const SYNONYMS: Record<MappedField, string[]> = {
  id: ['id', 'item_id', 'itemid', 'product_id', 'sku', 'cod_modelo_color'],
  image: ['image', 'image_path', 'imagepath', 'image_file', 'filename', 'file', 'path', 'des_filename', 'img'],
  title: ['title', 'name', 'product_name', 'productdisplayname', 'description'],
  category: ['category', 'articletype', 'article_type', 'product_type', 'type', 'des_product_family', 'des_product_category'],
  colour: ['colour', 'color', 'basecolour', 'base_colour', 'basecolor', 'des_agrup_color_eng'],
  gender: ['gender', 'sex', 'des_sex'],
  price: ['price', 'price_eur', 'price_usd', 'amount'],
};

/** Parses "id=sku,category=type" (CLI form) into a mapping; unknown fields are an error. */
export function parseMapping(spec: string | undefined): ColumnMapping {
  const out: ColumnMapping = {};
  if (!spec) return out;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [field, column] = part.split('=').map((s) => s?.trim());
    if (!field || !column || !(MAPPED_FIELDS as readonly string[]).includes(field)) {
      throw new LookbookError(
        'LB_ERR_INVALID_ARGUMENT',
        `bad column mapping "${part}": expected field=column with field one of ${MAPPED_FIELDS.join(', ')}`,
      );
    }
    out[field as MappedField] = column;
  }
  return out;
}

/**
 * Completes a mapping against the columns present. Explicitly mapped columns must exist
 * (LB_ERR_CATALOGUE_COLUMN names the missing column and lists the available ones); `id` is required.
 */
export function resolveMapping(columns: string[], explicit: ColumnMapping, file: string): Required<Pick<ColumnMapping, 'id'>> & ColumnMapping {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const out: ColumnMapping = {};
  for (const field of MAPPED_FIELDS) {
    const wanted = explicit[field];
    if (wanted !== undefined) {
      const actual = byLower.get(wanted.toLowerCase());
      if (!actual) {
        throw new LookbookError(
          'LB_ERR_CATALOGUE_COLUMN',
          `column "${wanted}" (mapped to ${field}) is not in ${file}; columns are: ${columns.join(', ')}`,
          { subject: file, details: { field, column: wanted, columns } },
        );
      }
      out[field] = actual;
      continue;
    }
    const found = SYNONYMS[field].map((s) => byLower.get(s)).find((c) => c !== undefined && !Object.values(out).includes(c));
    if (found) out[field] = found;
  }
  if (!out.id) {
    throw new LookbookError(
      'LB_ERR_CATALOGUE_COLUMN',
      `no id column in ${file}: map one with --map id=<column>; columns are: ${columns.join(', ')}`,
      { subject: file, details: { field: 'id', columns } },
    );
  }
  return out as Required<Pick<ColumnMapping, 'id'>> & ColumnMapping;
}
