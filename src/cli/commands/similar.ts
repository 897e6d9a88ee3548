import { Command, Option } from 'commander';
import { filterFromOptions, hintEmptyFilter, itemOrImage, openFromCli, parseIntArg, printJson, table, withFilters, withGlobals, type GlobalOptions } from '../common.ts';
import type { SimilarAnswer } from '../../pipelines/similar.ts';

export function formatSimilar(a: SimilarAnswer): string {
  const head = `Query ${a.query.itemId ?? '(image)'}${a.query.category ? ` [${a.query.category}]` : ''} colours: ${a.query.colours.map((c) => `${c.name} ${(c.share * 100).toFixed(0)}%`).join(', ') || '-'}  (space: ${a.space})`;
  const rows = a.results.map((r, i) => [i + 1, r.item.id, r.score.toFixed(3), r.item.category ?? '', (r.item.title ?? '').slice(0, 40), r.reasons.join('; ')]);
  return `${head}\n${table(rows, ['#', 'id', 'score', 'category', 'title', 'why'])}\n`;
}

export function similarCommand(): Command {
  return withFilters(withGlobals(new Command('similar')))
    .description('Visually similar catalogue items for an item id or an image file ("more like this").')
    .argument('<item-or-image>', 'a catalogue item id, or the path of an image file')
    .option('-k, --top <n>', 'number of results', parseIntArg, 10)
    .addOption(new Option('--space <name>', 'vector space: auto (learned when trained), raw, or a learned space name').default('auto'))
    .option('--exact', 'brute-force search instead of the ANN index')
    .addHelpText('after', '\nExamples:\n  lookbook similar 15970 --category Shirts --max-price 40\n  lookbook similar ./photo.jpg -k 5 --json\n')
    .action(async (q: string, o: GlobalOptions & Record<string, unknown>) => {
      const lb = await openFromCli(o, { create: false });
      try {
        const filter = filterFromOptions(o as never);
        const answer = await lb.similar(await itemOrImage(lb, q), {
          k: o.top as number,
          filter,
          space: o.space as string,
          exact: Boolean(o.exact),
        });
        if (o.json) printJson(answer);
        else {
          process.stdout.write(formatSimilar(answer));
          await hintEmptyFilter(lb, filter, answer.results.length);
        }
      } finally {
        await lb.close();
      }
    });
}
