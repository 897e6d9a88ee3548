import { Command } from 'commander';
import { openFromCli, printJson, withGlobals, type GlobalOptions } from '../common.ts';

export function infoCommand(): Command {
  return withGlobals(new Command('info'))
    .description('What the data directory holds: items, features, outfits, events, models.')
    .action(async (o: GlobalOptions) => {
      const lb = await openFromCli(o, { create: false });
      try {
        const s = lb.store;
        const { ids, dim } = await s.allItemVectors(lb.ctx.backboneName);
        const info = {
          dataDir: lb.config.dataDir,
          store: s.kind,
          backbone: lb.ctx.backboneName,
          items: await s.countItems(),
          itemsWithFeatures: ids.length,
          dimension: dim,
          outfits: (await s.listOutfits()).length,
          events: (await s.listEvents()).length,
          models: (await s.listModels()).map((m) => ({ name: m.name, kind: m.kind, version: m.version, createdAt: new Date(m.createdAt).toISOString(), metrics: m.metrics })),
        };
        if (o.json) printJson(info);
        else {
          process.stdout.write(
            `Data dir  ${info.dataDir} (${info.store})\nBackbone  ${info.backbone} (${info.dimension || '?'}-d)\nItems     ${info.items} (${info.itemsWithFeatures} with features)\nOutfits   ${info.outfits}\nEvents    ${info.events}\nModels    ${info.models.map((m) => `${m.name} v${m.version}`).join(', ') || 'none'}\n`,
          );
        }
      } finally {
        await lb.close();
      }
    });
}
