import { Command } from 'commander';
import { embedQueryImage } from '../../pipelines/similar.ts';
import { predictStyle, type StylePrediction } from '../../pipelines/style.ts';
import { buildStyleProfile } from '../../pipelines/style-profile.ts';
import { itemOrImage, openFromCli, parseIntArg, printJson, table, withGlobals, type GlobalOptions } from '../common.ts';
import { LookbookError } from '../../errors.ts';
import type { Lookbook } from '../../lookbook.ts';

/** The head to use: the one asked for; else `usage` when trained; else the only trained head. */
async function styleColumn(lb: Lookbook, asked: string | undefined): Promise<string> {
  if (asked) return asked;
  const heads = [...new Set((await lb.store.listModels()).filter((m) => m.kind === 'classifier' && m.name.startsWith('style:')).map((m) => m.name.slice(6)))];
  if (heads.length === 0 || heads.includes('usage')) return 'usage';
  if (heads.length === 1) return heads[0]!;
  throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `several style heads are trained (${heads.join(', ')}): choose one with --label <column>`);
}

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
    .option('-l, --label <column>', 'which trained head (its label column); default usage, or the only trained head')
    .option('-c, --column <column>', 'same as --label')
    .option('-k, --top <n>', 'classes to show', parseIntArg, 3)
    .action(async (q: string, o: GlobalOptions & { label?: string; column?: string; top: number }) => {
      const lb = await openFromCli(o, { create: false });
      try {
        const column = await styleColumn(lb, o.label ?? o.column);
        const query = await itemOrImage(lb, q);
        let p: StylePrediction;
        if ('image' in query) {
          const { vector, attributes } = await embedQueryImage(lb.ctx, query.image);
          p = await predictStyle(lb.ctx, { vector, attributes }, { column, top: o.top });
        } else {
          p = await predictStyle(lb.ctx, query, { column, top: o.top });
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
    .option('-l, --label <column>', 'style head to use (default usage, or the only trained head)')
    .option('-c, --column <column>', 'same as --label')
    .action(async (ids: string[], o: GlobalOptions & { label?: string; column?: string }) => {
      const lb = await openFromCli(o, { create: false });
      try {
        const p = await buildStyleProfile(lb.ctx, ids, { column: await styleColumn(lb, o.label ?? o.column) });
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
