import { Command } from 'commander';
import { importOutfits } from '../../outfits/import.ts';
import { completeTheLook, fillInTheBlank, openOutfitContext, scoreOutfit } from '../../pipelines/outfit.ts';
import { trainCompatibilityFromStore } from '../../models/compatibility/registry.ts';
import { filterFromOptions, hintEmptyFilter, openFromCli, parseIntArg, printJson, table, withFilters, withGlobals, type GlobalOptions } from '../common.ts';
import type { Lookbook } from '../../lookbook.ts';

async function withOutfits<T>(o: GlobalOptions, fn: (lb: Lookbook) => Promise<T>): Promise<void> {
  const lb = await openFromCli(o, { create: false });
  try {
    const out = await fn(lb);
    if (o.json) printJson(out);
  } finally {
    await lb.close();
  }
}

function importCmd(): Command {
  return withGlobals(new Command('import'))
    .description('Import stylist outfits (CSV outfit_id,item_id — or mapped columns — or JSON [{id, items}]), validated against the catalogue.')
    .argument('<file>', 'outfits file')
    .option('--outfit-column <name>', 'outfit id column')
    .option('--item-column <name>', 'item id column')
    .action((file: string, o: GlobalOptions & { outfitColumn?: string; itemColumn?: string }) =>
      withOutfits(o, async (lb) => {
        const columns = o.outfitColumn || o.itemColumn ? { ...(o.outfitColumn ? { outfitId: o.outfitColumn } : {}), ...(o.itemColumn ? { itemId: o.itemColumn } : {}) } : undefined;
        const r = await importOutfits(lb.store, file, columns ? { columns } : {});
        if (!o.json) {
          process.stdout.write(`Imported ${r.outfits.length} of ${r.parsedOutfits} outfits (${r.parsedRows} rows) from ${r.file}; ${r.problems.length} problems\n`);
          for (const p of r.problems.slice(0, 10)) process.stdout.write(`  ${JSON.stringify(p)}\n`);
        }
        return r;
      }),
    );
}

export function outfitsCommand(): Command {
  const cmd = new Command('outfits').description('Stylist outfits: import them, then train with `lookbook train compatibility`.');
  cmd.addCommand(importCmd());
  return cmd;
}

export function trainCompatibilityCommand(): Command {
  return withGlobals(new Command('compatibility'))
    .description('Train the outfit compatibility model on the imported outfits (type-aware embeddings; negatives swap items for random items of the same category).')
    .option('--category-column <column>', 'item type column (a metadata column, or category)', 'category')
    .option('--max-steps <n>', 'maximum training steps (early stopping decides)', parseIntArg)
    .action((o: GlobalOptions & { categoryColumn: string; maxSteps?: number }) =>
      withOutfits(o, async (lb) => {
        const r = await trainCompatibilityFromStore(lb.store, {
          dataDir: lb.config.dataDir,
          backbone: lb.ctx.backboneName,
          categoryColumn: o.categoryColumn,
          maxSteps: o.maxSteps,
          onProgress: o.quiet || o.json ? undefined : (e) => process.stderr.write(`step ${e.step}: loss ${e.loss.toFixed(4)}${e.valFitb !== undefined ? `, validation FITB ${(e.valFitb * 100).toFixed(1)}%` : ''}\n`),
        });
        const out = { name: r.record.name, version: r.record.version, metrics: r.record.metrics, seconds: r.seconds };
        if (!o.json) process.stdout.write(`Trained ${out.name} v${out.version} in ${r.seconds.toFixed(1)} s: ${JSON.stringify(out.metrics)}\n`);
        return out;
      }),
    );
}

export function outfitCommand(): Command {
  const cmd = new Command('outfit').description('Outfit compatibility: score an outfit, fill in the blank, complete the look.');
  cmd.addCommand(
    withGlobals(new Command('score'))
      .description('Compatibility 0..1 of a set of items, with the weakest pair as explanation.')
      .argument('<item-ids...>', 'two or more catalogue item ids')
      .action((ids: string[], o: GlobalOptions) =>
        withOutfits(o, async (lb) => {
          const r = await scoreOutfit(await openOutfitContext(lb.store, lb.config.dataDir), ids);
          if (!o.json) process.stdout.write(`score ${r.score.toFixed(3)}${r.weakestPair ? `; weakest pair ${r.weakestPair.a} + ${r.weakestPair.b} (${r.weakestPair.score.toFixed(3)})` : ''}\n${r.reasons.join('\n')}\n`);
          return r;
        }),
      ),
  );
  cmd.addCommand(
    withFilters(withGlobals(new Command('fill-blank')))
      .description('Rank candidates for the missing item of an outfit: given candidates, or the best items of a category.')
      .argument('<item-ids...>', 'the items already in the outfit')
      .option('--blank <category>', 'category of the blank (candidates retrieved from the catalogue)')
      .option('--candidates <ids...>', 'explicit candidate ids')
      .option('-k, --top <n>', 'number of results', parseIntArg, 5)
      .action((ids: string[], o: GlobalOptions & Record<string, unknown>) =>
        withOutfits(o, async (lb) => {
          const r = await fillInTheBlank(await openOutfitContext(lb.store, lb.config.dataDir), {
            itemIds: ids,
            candidates: o.candidates as string[] | undefined,
            category: o.blank as string | undefined,
            k: o.top as number,
            filter: filterFromOptions(o as never),
          });
          if (!o.json) {
            process.stdout.write(`blank: ${r.category ?? '?'}\n${table(r.ranked.map((c, i) => [i + 1, c.id, c.category ?? '', c.score.toFixed(3), c.reason]), ['#', 'id', 'category', 'score', 'why'])}\n`);
            await hintEmptyFilter(lb, filterFromOptions(o as never), r.ranked.length);
          }
          return r;
        }),
      ),
  );
  cmd.addCommand(
    withFilters(withGlobals(new Command('complete')))
      .description('Complete the look: the best N diverse outfits around one or more items.')
      .argument('<item-ids...>', 'seed items')
      .option('-n, --outfits <n>', 'number of outfits', parseIntArg, 3)
      .option('--add <categories...>', 'categories to add (default: what stylists usually add)')
      .action((ids: string[], o: GlobalOptions & Record<string, unknown>) =>
        withOutfits(o, async (lb) => {
          const r = await completeTheLook(await openOutfitContext(lb.store, lb.config.dataDir), {
            itemIds: ids,
            n: o.outfits as number,
            categories: o.add as string[] | undefined,
            filter: filterFromOptions(o as never),
          });
          if (!o.json) {
            r.outfits.forEach((x, i) => {
              process.stdout.write(`Outfit ${i + 1}: score ${x.score.toFixed(3)} [${x.categories.join(' + ')}]\n`);
              for (const a of x.added) process.stdout.write(`  + ${a.id} (${a.category ?? '?'}): ${a.reason}\n`);
            });
            await hintEmptyFilter(lb, filterFromOptions(o as never), r.outfits.length);
          }
          return r;
        }),
      ),
  );
  return cmd;
}
