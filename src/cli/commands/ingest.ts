import { Command } from 'commander';
import { parseMapping } from '../../catalog/mapping.ts';
import { createProgressRenderer } from '../progress.ts';
import { openFromCli, parseIntArg, printJson, withGlobals, type GlobalOptions } from '../common.ts';
import type { IngestReport } from '../../pipelines/ingest.ts';

export function printIngestSummary(r: IngestReport, out: NodeJS.WritableStream = process.stdout): void {
  out.write(
    [
      `Catalogue   ${r.catalogue} (${r.rows} items; images in ${r.imagesDir})`,
      `Mapping     ${Object.entries(r.mapping).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `Backbone    ${r.backbone}`,
      `Items       ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.removed} removed`,
      `CNN         ${r.embedded} images embedded, ${r.reused} reused from the feature cache`,
      `Failures    ${r.failed.length} images, ${r.rowProblems.length} rows${r.reportFile ? ` (details: ${r.reportFile})` : ''}`,
      ...(r.pruneSkipped ? [`Kept        ${r.pruneSkipped}`] : []),
      `Time        ${r.seconds.toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  const show = [...r.failed.slice(0, 5).map((f) => `  ${f.id}: ${f.reason}`), ...r.rowProblems.slice(0, 5).map((p) => `  row ${p.row}${p.id ? ` (${p.id})` : ''}: ${p.reason}`)];
  if (show.length) out.write(`First problems:\n${show.join('\n')}\n`);
}

export function ingestCommand(): Command {
  return withGlobals(new Command('ingest'))
    .description('Ingest a catalogue (metadata CSV/JSON + images): CNN features, colours, store and index. Incremental and resumable.')
    .argument('<metadata>', 'CSV, JSON or JSON Lines file with one row per item')
    .option('-i, --images <dir>', 'folder the image paths are relative to (default: an images/ folder beside the metadata file if there is one, else the metadata file\'s folder)')
    .option('-m, --map <mapping>', 'column mapping, e.g. "id=sku,image=file,category=type,colour=color,price=price" (unset fields are detected)')
    .option('--limit <n>', 'ingest only the first n rows (no pruning)', parseIntArg)
    .option('--no-prune', 'keep stored items that are absent from this catalogue')
    .option('--force-prune', 'remove absent items even when most of this catalogue failed (normally they are kept)')
    .addHelpText('after', '\nExample:\n  lookbook ingest ./shop/products.csv --images ./shop/photos --map id=sku,category=type\n')
    .action(async (metadata: string, o: GlobalOptions & { images?: string; map?: string; limit?: number; prune: boolean; forcePrune?: boolean }) => {
      const lb = await openFromCli(o);
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      const ac = new AbortController();
      const onSig = () => ac.abort();
      process.once('SIGINT', onSig);
      try {
        const report = await lb.ingest({ metadata, imagesDir: o.images, mapping: parseMapping(o.map), limit: o.limit, prune: o.prune, forcePrune: o.forcePrune, onProgress: progress, signal: ac.signal });
        if (o.json) printJson(report);
        else printIngestSummary(report);
        // A run in which nothing could be ingested is a failure for scripts too.
        if (report.rows + report.rowProblems.length > 0 && report.failed.length + report.rowProblems.length >= report.rows + report.rowProblems.length) {
          process.stderr.write('✖ nothing was ingested: every row or image failed (see the problems above)\n');
          process.exitCode = 1;
        }
      } finally {
        process.off('SIGINT', onSig);
        progress.stop();
        await lb.close();
      }
    });
}
