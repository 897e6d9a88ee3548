import { Command } from 'commander';
import { evaluateSimilarity, type SimilarityEvalResult } from '../../eval/similarity.ts';
import { openFromCli, parseIntArg, printJson, table, withGlobals, type GlobalOptions } from '../common.ts';

export function formatSimilarityEval(results: SimilarityEvalResult[]): string {
  const r0 = results[0]!;
  const rows = results.map((r) => [
    r.label,
    r.space,
    r.items,
    r.queries,
    r.precisionAtK.toFixed(3),
    r.mapAtK.toFixed(3),
    r.randomPrecision.toFixed(3),
    r.annRecallAtK === null ? '-' : r.annRecallAtK.toFixed(3),
    r.exactMsPerQuery.toFixed(2),
    r.annMsPerQuery === null ? '-' : r.annMsPerQuery.toFixed(2),
    r.seconds.toFixed(1),
  ]);
  return `Protocol: ${r0.protocol}; k=${r0.k}, seed=${r0.seed}\n${table(rows, ['label', 'space', 'items', 'queries', `P@${r0.k}`, `mAP@${r0.k}`, `random P@${r0.k}`, `ANN recall@${r0.k}`, 'exact ms/q', 'ANN ms/q', 'time s'])}\n`;
}

export function evalCommand(): Command {
  const cmd = new Command('eval').description('Evaluate quality on a labelled, ingested catalogue (see docs/ for recorded figures).');
  cmd.addCommand(
    withGlobals(new Command('similarity'))
      .description('Leave-one-out retrieval: P@K and mAP@K of same label, and ANN recall@K against exact search.')
      .option('-l, --label <columns...>', 'label column(s): category, colour, or any metadata column', ['category'])
      .option('-k, --k <n>', 'cut-off K', parseIntArg, 10)
      .option('--queries <n>', 'number of query items (seeded sample; 0 = all)', (v) => Number(v), 2000)
      .option('--recall-queries <n>', 'queries for ANN recall against exact', (v) => Number(v), 500)
      .option('--space <name>', 'vector space (default: the backbone\'s raw features)')
      .option('--seed <n>', 'random seed', (v) => Number(v), 42)
      .action(async (o: GlobalOptions & { label: string[]; k: number; queries: number; recallQueries: number; space?: string; seed: number }) => {
        const lb = await openFromCli(o, { create: false });
        try {
          const results: SimilarityEvalResult[] = [];
          for (const label of o.label) {
            results.push(await evaluateSimilarity(lb.ctx, { label, k: o.k, queries: o.queries, recallQueries: o.recallQueries, space: o.space, seed: o.seed }));
          }
          if (o.json) printJson(results);
          else process.stdout.write(formatSimilarityEval(results));
        } finally {
          await lb.close();
        }
      }),
  );
  return cmd;
}
