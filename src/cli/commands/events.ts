import { Command, Option } from 'commander';
import { importEventsCsv, type ImportEventsReport } from '../../events/import.ts';
import { openFromCli, printJson, table, withGlobals, type GlobalOptions } from '../common.ts';

interface ImportOptions extends GlobalOptions {
  user: string;
  item: string;
  kind?: string;
  rating?: string;
  timestamp?: string;
  defaultKind?: string;
  unknownItems: 'keep' | 'drop';
  delimiter?: string;
}

/** How many bad rows the text report lists (--json lists every reported one). */
const BAD_SHOWN = 10;

export function formatImportReport(r: ImportEventsReport): string {
  const lines = [
    `Imported ${r.file}`,
    table(
      [
        ['rows read', r.rows],
        ['valid events', r.valid],
        ['added', r.added],
        ['duplicates (already stored)', r.duplicates],
        ['bad rows', r.badCount],
        [`unknown items (${r.unknownItems.action})`, `${r.unknownItems.events} events on ${r.unknownItems.distinct} items`],
        ['users', r.users],
      ],
      ['', 'count'],
    ),
  ];
  if (r.badCount > 0) {
    lines.push(`Bad rows (first ${Math.min(BAD_SHOWN, r.bad.length)} of ${r.badCount}; --json lists ${r.bad.length}):`);
    for (const b of r.bad.slice(0, BAD_SHOWN)) lines.push(`  row ${b.row}: ${b.reason}`);
  }
  if (r.unknownItems.distinct > 0) lines.push(`Unknown item ids (sample): ${r.unknownItems.sample.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function importCommand(): Command {
  return withGlobals(new Command('import'))
    .description('Import interaction events (views, likes, purchases, rentals, ratings) from a CSV file. Re-importing a file adds nothing.')
    .argument('<csv>', 'CSV file with a header row')
    .requiredOption('--user <col>', 'column holding the user id')
    .requiredOption('--item <col>', 'column holding the item id')
    .option('--kind <col>', 'column holding the event kind (view, like, cart, purchase, rent…)')
    .option('--rating <col>', 'column holding an explicit rating (events become kind "rating" unless --kind is given)')
    .option('--timestamp <col>', 'column holding the time (ISO date/datetime or epoch seconds/ms)')
    .option('--default-kind <kind>', 'event kind when there is no --kind column (default: rating with --rating, else view)')
    .option('--delimiter <char>', 'field delimiter', ',')
    .addOption(new Option('--unknown-items <mode>', 'events on items missing from the catalogue').choices(['keep', 'drop']).default('keep'))
    .addHelpText('after', '\nExamples:\n  lookbook events import events.csv --user user_id --item item_id --kind event --timestamp ts\n  lookbook events import reviews.csv --user user_id --item item_id --rating rating --timestamp review_date --unknown-items drop --json\n')
    .action(async (file: string, o: ImportOptions) => {
      const lb = await openFromCli(o);
      try {
        const report = await importEventsCsv(lb.store, file, {
          columns: { user: o.user, item: o.item, kind: o.kind, rating: o.rating, timestamp: o.timestamp },
          defaultKind: o.defaultKind,
          delimiter: o.delimiter,
          unknownItems: o.unknownItems,
          maxBadReported: o.json ? Number.MAX_SAFE_INTEGER : 1000,
        });
        if (o.json) printJson(report);
        else process.stdout.write(formatImportReport(report));
      } finally {
        await lb.close();
      }
    });
}

export function eventsCommand(): Command {
  const cmd = new Command('events').description('Interaction events (the input of the recommenders).');
  cmd.addCommand(importCommand());
  return cmd;
}
