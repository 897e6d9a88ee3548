import path from 'node:path';
import { Command } from 'commander';
import { makeSyntheticCatalogue } from '../../catalog/synthetic.ts';
import { datasetPath } from '../../testing/datasets.ts';
import { createProgressRenderer } from '../progress.ts';
import { openFromCli, parseIntArg, withGlobals, type GlobalOptions } from '../common.ts';
import { printIngestSummary } from './ingest.ts';
import { parseMapping, type ColumnMapping } from '../../catalog/mapping.ts';
import { formatSimilar } from './similar.ts';

interface DemoOptions extends GlobalOptions {
  catalogue?: string;
  images?: string;
  map?: string;
  limit?: number;
  serve: boolean;
  port?: number;
}

/** Picks the catalogue the demo runs on and says why. */
async function chooseCatalogue(o: DemoOptions, dataDir: string): Promise<{ metadata: string; images?: string; mapping?: ColumnMapping; limit?: number; why: string }> {
  if (o.catalogue) return { metadata: o.catalogue, images: o.images, mapping: parseMapping(o.map), limit: o.limit, why: `your catalogue ${path.resolve(o.catalogue)}` };
  const shared = datasetPath('fashion-small');
  if (shared) {
    const limit = o.limit ?? 1500;
    return {
      metadata: path.join(shared, 'styles.csv'),
      images: path.join(shared, 'images'),
      limit,
      why: `the real catalogue in ${shared} (first ${limit} items; --limit to change, --catalogue to use your own)`,
    };
  }
  const dir = path.join(dataDir, 'demo-catalogue');
  const csv = await makeSyntheticCatalogue(dir);
  return { metadata: csv, limit: o.limit, why: `a synthetic catalogue Lookbook generated in ${dir} (no ../shared/data here; pass --catalogue <file.csv> to use yours)` };
}

export function demoCommand(): Command {
  return withGlobals(new Command('demo'))
    .description('The main job end to end: ingest a catalogue (yours, the shared real one, or a generated one), show similar items, and serve recommendations over HTTP.')
    .option('-c, --catalogue <metadata>', 'your catalogue metadata (CSV/JSON); images beside it in images/ or via --images')
    .option('-i, --images <dir>', 'image folder for --catalogue')
    .option('-m, --map <mapping>', 'column mapping for --catalogue, e.g. "id=sku,image=file,category=type" (as in lookbook ingest)')
    .option('--limit <n>', 'ingest only the first n items', parseIntArg)
    .option('--no-serve', 'stop after ingesting and showing examples (do not start the HTTP server)')
    .option('-p, --port <n>', 'HTTP port', parseIntArg)
    .action(async (o: DemoOptions) => {
      const lb = await openFromCli(o);
      let keepOpen = false;
      try {
        const cat = await chooseCatalogue(o, lb.config.dataDir);
        process.stdout.write(`Lookbook demo — data directory ${lb.config.dataDir}\nCatalogue: ${cat.why}\n\n`);
        const progress = createProgressRenderer({ quiet: o.quiet });
        const report = await lb.ingest({ metadata: cat.metadata, imagesDir: cat.images, mapping: cat.mapping, limit: cat.limit, onProgress: progress });
        progress.stop();
        printIngestSummary(report);
        const { ids } = await lb.store.allItemVectors(lb.ctx.backboneName);
        const picks = [ids[0], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]].filter((x): x is string => Boolean(x));
        for (const id of [...new Set(picks)]) {
          process.stdout.write(`\n${formatSimilar(await lb.similar({ itemId: id }, { k: 5 }))}`);
        }
        if (o.serve) {
          const { startServer } = await import('../../server/index.ts');
          const server = await startServer(lb, { port: o.port ?? lb.config.port, host: lb.config.host });
          process.stdout.write(`\nServing recommendations at ${server.url} (web page) and ${server.url}/docs (API). Ctrl-C to stop.\n`);
          keepOpen = true;
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
          await server.close();
          keepOpen = false;
        }
      } finally {
        if (!keepOpen) await lb.close();
      }
    });
}
