/**
 * Turning a catalogue column into class labels: read the value of any column (typed or metadata),
 * group or drop rare classes, and fail clearly when the column does not exist or is unusable.
 */
import { LookbookError } from '../../errors.ts';
import type { Item } from '../../types.ts';

/** Typed Item columns that can serve as labels besides Item.meta keys. */
const TYPED_COLUMNS = ['category', 'colour', 'gender'] as const;

/** The value of a label column for an item ('' and whitespace count as missing). */
export function labelOf(item: Item, column: string): string | undefined {
  let v: string | null | undefined;
  if ((TYPED_COLUMNS as readonly string[]).includes(column)) v = item[column as (typeof TYPED_COLUMNS)[number]];
  else v = item.meta[column];
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** Columns that have at least one non-empty value among the items (typed columns first). */
export function availableColumns(items: Item[]): string[] {
  const typed = new Set<string>();
  const meta = new Set<string>();
  for (const it of items) {
    for (const c of TYPED_COLUMNS) if (it[c]) typed.add(c);
    for (const [k, v] of Object.entries(it.meta)) if (v !== undefined && String(v).trim() !== '') meta.add(k);
  }
  return [...TYPED_COLUMNS.filter((c) => typed.has(c)), ...[...meta].sort()];
}

export interface LabelPlanOptions {
  /** Classes with fewer examples than this are grouped or excluded (default: 50, or labelled/50 but at least 5 below 2,500 labelled items). */
  minCount?: number;
  /** 'other' groups rare classes into one class named `otherName`; 'exclude' drops their items. */
  rare?: 'other' | 'exclude';
  otherName?: string;
}

export interface LabelPlan {
  column: string;
  /** Class names, index = class id. Sorted by count, descending. */
  classes: string[];
  /** Training examples per class (aligned with classes). */
  counts: number[];
  /** Name of the grouped class when rare classes were grouped, else null. */
  otherClass: string | null;
  /** Rare raw values and their counts (grouped into otherClass, or excluded). */
  rare: { value: string; count: number }[];
  rareMode: 'other' | 'exclude';
  /** Items with no value for the column. */
  missing: number;
  /** Class id of a raw value, or -1 when the value is missing / excluded. */
  classOf(value: string | undefined): number;
}

/** Rare-class threshold when none is given: 50, scaled down for small catalogues (2% of the labelled items, at least 5). */
export function defaultMinCount(labelled: number): number {
  return Math.max(5, Math.min(50, Math.floor(labelled / 50)));
}

/**
 * Plans the classes for a column from the raw values of the training items.
 * Throws LB_ERR_LABEL_COLUMN when the column is absent or leaves fewer than two classes.
 */
export function planLabels(
  column: string,
  values: (string | undefined)[],
  available: string[],
  opts: LabelPlanOptions = {},
): LabelPlan {
  const minCount = opts.minCount ?? defaultMinCount(values.filter((v) => v !== undefined).length);
  const rareMode = opts.rare ?? 'other';
  const otherName = opts.otherName ?? 'Other';
  const freq = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === undefined) missing++;
    else freq.set(v, (freq.get(v) ?? 0) + 1);
  }
  if (freq.size === 0) {
    throw new LookbookError(
      'LB_ERR_LABEL_COLUMN',
      `Label column "${column}" has no values; available columns: ${available.join(', ') || '(none)'}`,
      { subject: column, details: { column, available } },
    );
  }
  const sorted = [...freq.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = sorted.filter(([, n]) => n >= minCount);
  const rare = sorted.filter(([, n]) => n < minCount).map(([value, count]) => ({ value, count }));
  const classes = kept.map(([v]) => v);
  const counts = kept.map(([, n]) => n);
  let otherClass: string | null = null;
  const rareTotal = rare.reduce((s, r) => s + r.count, 0);
  if (rareMode === 'other' && rare.length > 0) {
    otherClass = classes.includes(otherName) ? `${otherName} (grouped)` : otherName;
    classes.push(otherClass);
    counts.push(rareTotal);
  }
  if (classes.length < 2) {
    throw new LookbookError(
      'LB_ERR_LABEL_COLUMN',
      `Label column "${column}" has fewer than two classes with at least ${minCount} examples ` +
        `(${sorted.length} distinct values); available columns: ${available.join(', ')}`,
      { subject: column, details: { column, available, distinct: sorted.length, minCount } },
    );
  }
  const index = new Map(kept.map(([v], i) => [v, i]));
  const rareSet = new Set(rare.map((r) => r.value));
  const otherId = otherClass === null ? -1 : classes.length - 1;
  return {
    column,
    classes,
    counts,
    otherClass,
    rare,
    rareMode,
    missing,
    classOf(value) {
      if (value === undefined) return -1;
      const i = index.get(value);
      if (i !== undefined) return i;
      // Unseen values at prediction/eval time are treated like rare ones.
      return rareSet.has(value) || otherId >= 0 ? otherId : -1;
    },
  };
}

/** Asserts the column exists among the items, else LB_ERR_LABEL_COLUMN listing the available columns. */
export function assertColumn(items: Item[], column: string): void {
  if (items.some((it) => labelOf(it, column) !== undefined)) return;
  const available = availableColumns(items);
  throw new LookbookError(
    'LB_ERR_LABEL_COLUMN',
    `Unknown label column "${column}"; available columns: ${available.join(', ') || '(none)'}`,
    { subject: column, details: { column, available } },
  );
}
