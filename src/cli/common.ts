/** Options and helpers shared by the CLI commands. */
import { Command, Option } from 'commander';
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

export async function openFromCli(o: GlobalOptions): Promise<Lookbook> {
  return Lookbook.open({
    dataDir: o.dataDir,
    config: o.config,
    backbone: o.backbone,
    storeUrl: o.store,
    logLevel: o.verbose ? 'debug' : o.quiet ? 'error' : undefined,
  });
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

export function filterFromOptions(o: {
  category?: string[];
  gender?: string[];
  colour?: string[];
  minPrice?: number;
  maxPrice?: number;
  where?: string[];
}): ItemFilter {
  const f: ItemFilter = {};
  if (o.category?.length) f.category = o.category;
  if (o.gender?.length) f.gender = o.gender;
  if (o.colour?.length) f.colour = o.colour;
  if (o.minPrice !== undefined || o.maxPrice !== undefined) f.price = { min: o.minPrice, max: o.maxPrice };
  if (o.where?.length) {
    f.meta = {};
    for (const w of o.where) {
      const i = w.indexOf('=');
      if (i <= 0) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `--where expects field=value, got "${w}"`);
      f.meta[w.slice(0, i)] = w.slice(i + 1);
    }
  }
  return f;
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
