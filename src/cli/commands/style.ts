import fs from 'node:fs';
import { Command } from 'commander';
import { extractAttributes } from '../../attributes/index.ts';
import { predictStyle, type StylePrediction } from '../../pipelines/style.ts';
import { buildStyleProfile } from '../../pipelines/style-profile.ts';
import { openFromCli, parseIntArg, printJson, table, withGlobals, type GlobalOptions } from '../common.ts';

export function formatStyle(p: StylePrediction): string {
  const rows = p.top.map((c) => [c.label, `${(c.probability * 100).toFixed(1)}%`]);
  const heads = Object.entries(p.attributes.heads).map(([k, v]) => `${k}: ${v.label} (${(v.probability * 100).toFixed(0)}%)`);
  return [
    `${p.column}: ${p.label}   (model ${p.model.name} v${p.model.version})`,
    table(rows, ['class', 'probability']),
    `colours: ${p.attributes.colours.map((c) => `${c.name} ${(c.share * 100).toFixed(0)}%`).join(', ') || '-'}`,
    ...(p.attributes.pattern ? [`pattern: ${p.attributes.pattern}`] : []),
    ...(heads.length ? [`other heads: ${heads.join('; ')}`] : []),
    '',
  ].join('\n');
}

export function styleCommand(): Command {
  return withGlobals(new Command('style'))
    .description('Style/occasion classes with probabilities for a catalogue item or an image file, plus readable attributes.')
    .argument('<item-or-image>', 'catalogue item id or image path')
    .option('-c, --column <column>', 'which trained head (label column)', 'usage')
    .option('-k, --top <n>', 'classes to show', parseIntArg, 3)
    .action(async (q: string, o: GlobalOptions & { column: string; top: number }) => {
      const lb = await openFromCli(o);
      try {
        let p: StylePrediction;
        if ((await lb.store.getItem(q)) === undefined && fs.existsSync(q)) {
          const { prepared, vector } = await (await lb.ctx.embedder()).embedImage(q, { maxPixels: lb.config.maxPixels });
          p = await predictStyle(lb.ctx, { vector, attributes: extractAttributes(prepared.raster) }, { column: o.column, top: o.top });
        } else {
          p = await predictStyle(lb.ctx, { itemId: q }, { column: o.column, top: o.top });
        }
        if (o.json) printJson(p);
        else process.stdout.write(formatStyle(p));
      } finally {
        await lb.close();
      }
    });
}

export function profileCommand(): Command {
  return withGlobals(new Command('profile'))
    .description('A style profile from liked items: style classes, colours and categories they share.')
    .argument('<item-ids...>', 'liked catalogue item ids')
    .option('-c, --column <column>', 'style head to use', 'usage')
    .action(async (ids: string[], o: GlobalOptions & { column: string }) => {
      const lb = await openFromCli(o);
      try {
        const p = await buildStyleProfile(lb.ctx, ids, { column: o.column });
        const { meanVector, spaceVector, ...rest } = p;
        if (o.json) printJson({ ...rest, hasQueryVector: meanVector !== null });
        else {
          const fmt = (xs: { name: string; share: number }[]) => xs.map((x) => `${x.name} ${(x.share * 100).toFixed(0)}%`).join(', ') || '-';
          process.stdout.write(`Items used: ${p.used.length}${p.missing.length ? ` (unknown or without features: ${p.missing.join(', ')})` : ''}\nStyles:     ${fmt(p.styles)}\nColours:    ${fmt(p.colours)}\nCategories: ${fmt(p.categories)}\n`);
        }
        void spaceVector;
      } finally {
        await lb.close();
      }
    });
}
