import { Command, Option } from 'commander';
import { trainRecommender } from '../../pipelines/recommender-service.ts';
import { MODELS } from '../../models/recommender.ts';
import { createProgressRenderer } from '../progress.ts';
import { openFromCli, parseIntArg, printJson, withGlobals, type GlobalOptions } from '../common.ts';

/** `lookbook train recommender` (registered under `train` by the program). */
export function trainRecommenderCommand(): Command {
  return withGlobals(new Command('recommender'))
    .description('Train the personalization model on the stored events (and CNN features for visual models); `recommend` then uses it.')
    .addOption(new Option('--model <name>', 'model').choices(Object.keys(MODELS)).default('hybrid'))
    .option('--seed <n>', 'random seed', parseIntArg, 42)
    .addHelpText('after', '\nExamples:\n  lookbook train recommender\n  lookbook train recommender --model bpr --json\n')
    .action(async (o: GlobalOptions & { model: string; seed: number }) => {
      const lb = await openFromCli(o, { create: false });
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      try {
        const { record } = await trainRecommender(lb.ctx, { model: o.model, seed: o.seed, onProgress: progress });
        progress.stop();
        if (o.json) printJson(record);
        else {
          const m = record.meta;
          process.stdout.write(
            `Trained ${record.name} v${record.version} (${String(m.model)}) in ${String(record.metrics.trainSeconds)} s: ${String(m.users)} users, ${String(m.items)} items, ${String(m.events)} events\n` +
              `Saved to ${record.path}${record.metrics.weights ? `; blend weights ${JSON.stringify(record.metrics.weights)}` : ''}` +
              `${record.metrics.validationRecall20 !== undefined ? `; validation Recall@20 ${Number(record.metrics.validationRecall20).toFixed(4)}` : ''}\n`,
          );
        }
      } finally {
        progress.stop();
        await lb.close();
      }
    });
}
