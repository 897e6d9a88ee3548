/** Options and helpers shared by the CLI commands. */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config/index.ts';
import { itemFilterFrom, restrictsItems, type FilterFields } from '../catalog/filter.ts';
import { Lookbook } from '../lookbook.ts';
import { LookbookError } from '../errors.ts';
import type { ItemFilter } from '../types.ts';

export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  backbone?: string;
  store?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Options every command accepts. */
export function withGlobals(cmd: Command): Command {
  return cmd
    .option('-d, --data-dir <dir>', 'data directory (default ./lookbook-data, or LOOKBOOK_DATA_DIR)')
    .option('--config <file>', 'JSON config file (default ./lookbook.config.json when present)')
    .option('--backbone <name>', 'CNN backbone (mobilenet_v2_140 | mobilenet_v2_100)')
    .option('--store <url>', 'store URL (postgres://… for the PostgreSQL store; default embedded SQLite)')
    .option('--json', 'machine-readable JSON output on stdout')
    .option('-q, --quiet', 'no progress output')
    .option('-v, --verbose', 'debug logging');
}

/**
 * Opens the data directory named by the flags. Commands that only read (similar, style, recommend, …) pass
 * create: false, so that a mistyped --data-dir is an error instead of a new empty store.
 */
export async function openFromCli(o: GlobalOptions, opts: { create?: boolean } = {}): Promise<Lookbook> {
  const flags = {
    dataDir: o.dataDir,
    config: o.config,
    backbone: o.backbone,
    storeUrl: o.store,
    logLevel: o.verbose ? ('debug' as const) : o.quiet ? ('error' as const) : undefined,
  };
  if (opts.create === false) {
    const config = loadConfig(flags);
    if (!config.storeUrl && !fs.existsSync(path.join(config.dataDir, 'lookbook.db'))) {
      throw new LookbookError(
        'LB_ERR_NOT_FOUND',
        `no Lookbook data in ${config.dataDir}: ingest a catalogue first (lookbook ingest <file.csv>) or point --data-dir at an existing data directory`,
        { subject: config.dataDir },
      );
    }
  }
  return Lookbook.open(flags);
}

/** Metadata filter flags (similar, recommend, complete-the-look). */
export function withFilters(cmd: Command): Command {
  return cmd
    .option('--category <value...>', 'only items of these categories')
    .option('--gender <value...>', 'only items of these genders')
    .option('--colour <value...>', 'only items of these colours')
    .option('--min-price <n>', 'minimum price', parseNumber)
    .option('--max-price <n>', 'maximum price', parseNumber)
    .addOption(new Option('--where <field=value...>', 'any metadata field equals a value (repeatable)'));
}

export function parseNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `"${v}" is not a number`);
  return n;
}

export function parseIntArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `"${v}" is not a positive integer`);
  return n;
}

export function filterFromOptions(o: FilterFields): ItemFilter {
  return itemFilterFrom(o, '--where');
}

/**
 * After a filtered query came back empty (text output only): says so on stderr with the catalogue's categories,
 * since a misspelt filter value is the usual cause. Does nothing when results were found or no filter was set.
 */
export async function hintEmptyFilter(lb: Lookbook, filter: ItemFilter, found: number): Promise<void> {
  if (found > 0 || !restrictsItems(filter)) return;
  const cats = [...new Set((await lb.store.listItems({ limit: 5000 })).map((i) => i.category).filter(Boolean))].slice(0, 15);
  process.stderr.write(`No item matches the filters. Categories in this catalogue include: ${cats.join(', ') || '(none)'}\n`);
}

/** Prints JSON on stdout (for --json). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned text table. */
export function table(rows: (string | number)[][], header: string[]): string {
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, j) => Math.max(...all.map((r) => String(r[j] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, j) => String(c ?? '').padEnd(widths[j]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const IMAGE_EXT = /\.(jpe?g|png|webp|avif|gif|tiff?)$/i;

/**
 * Reads an <item-or-image> argument: a catalogue item id, or the path of an image file. A path-like
 * argument that is neither says the file is missing (not "unknown item").
 */
export async function itemOrImage(lb: Lookbook, arg: string): Promise<{ itemId: string } | { image: string }> {
  if ((await lb.store.getItem(arg)) !== undefined) return { itemId: arg };
  if (fs.existsSync(arg)) return { image: arg };
  if (arg.includes('/') || arg.includes(path.sep) || IMAGE_EXT.test(arg)) {
    throw new LookbookError('LB_ERR_NOT_FOUND', `no catalogue item "${arg}" and no image file at ${path.resolve(arg)}`, { subject: arg });
  }
  throw new LookbookError('LB_ERR_NOT_FOUND', `no item with id "${arg}" in ${lb.config.dataDir}`, { subject: arg });
}
