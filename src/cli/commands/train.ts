import { Command } from 'commander';
import { trainClassifier, predictAll } from '../../pipelines/style.ts';
import { trainSimilaritySpace } from '../../models/metric-space/from-store.ts';
import { createProgressRenderer } from '../progress.ts';
import { trainCompatibilityCommand } from './outfit.ts';
import { trainRecommenderCommand } from './train-recommender.ts';
import { openFromCli, parseIntArg, printJson, table, withGlobals, type GlobalOptions } from '../common.ts';

interface StyleTrainOptions extends GlobalOptions {
  label: string;
  minCount?: number;
  rare: 'other' | 'exclude';
  epochs?: number;
  hidden?: number;
  colourOnly?: boolean;
  aux?: string;
  predict: boolean;
}

function styleTrain(): Command {
  return withGlobals(new Command('style'))
    .description('Train a classifier head on the CNN features (+ colour histogram) for a label column: usage/style, articleType, season, pattern…')
    .option('-l, --label <column>', 'label column (a metadata column, or category / colour / gender)', 'usage')
    .option('--min-count <n>', 'classes with fewer examples are grouped or excluded (default 50; 2% of the labelled items, at least 5, below 2,500)', parseIntArg)
    .option('--rare <mode>', 'what to do with rare classes: other | exclude', 'other')
    .option('--epochs <n>', 'maximum epochs (early stopping decides)', parseIntArg)
    .option('--hidden <n>', 'hidden units (0 = softmax regression)', (v) => Number(v))
    .option('--aux <column>', 'also learn this column on the hidden layer (multi-task), e.g. articleType; dropped after training')
    .option('--no-predict', 'do not store predictions for every item afterwards')
    .addHelpText('after', '\nExamples:\n  lookbook train style --label usage\n  lookbook train style --label usage --aux articleType\n  lookbook train style --label articleType --min-count 20\n')
    .action(async (o: StyleTrainOptions) => {
      const lb = await openFromCli(o, { create: false });
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      try {
        const r = await trainClassifier(lb.ctx, { column: o.label, minCount: o.minCount, rare: o.rare, maxEpochs: o.epochs, hidden: o.hidden, auxColumn: o.aux, onProgress: progress });
        const pred = o.predict ? await predictAll(lb.ctx, o.label, { onProgress: progress }) : undefined;
        progress.stop();
        const out = {
          model: r.record ? { name: r.record.name, version: r.record.version, path: r.record.path, metrics: r.record.metrics } : undefined,
          classes: r.classes.map((c, i) => ({ class: c, examples: r.counts[i] })),
          rare: r.rare,
          rareMode: r.rareMode,
          skipped: r.skipped,
          predictions: pred ? { items: pred.count, distribution: pred.distribution } : undefined,
        };
        if (o.json) printJson(out);
        else {
          process.stdout.write(`Trained ${out.model?.name} v${out.model?.version} (${out.model?.path})\n`);
          process.stdout.write(`${table(out.classes.map((c) => [c.class, c.examples]), ['class', 'training examples'])}\n`);
          if (r.rare.length) process.stdout.write(`Rare classes (${r.rareMode}): ${r.rare.map((x) => `${x.value} (${x.count})`).join(', ')}\n`);
          process.stdout.write(`Validation metrics: ${JSON.stringify(out.model?.metrics)}\n`);
          if (pred) process.stdout.write(`Predicted ${pred.count} items: ${JSON.stringify(pred.distribution)}\n`);
        }
      } finally {
        progress.stop();
        await lb.close();
      }
    });
}

function similarityTrain(): Command {
  return withGlobals(new Command('similarity'))
    .description('Learn a similarity space (projection of the CNN features) from catalogue labels; `similar` then uses it.')
    .option('-l, --label <column>', 'items with the same value should be close', 'category')
    .option('--secondary <column>', 'a second label that should also bring items closer (e.g. colour)')
    .option('--name <name>', 'space name', 'default')
    .action(async (o: GlobalOptions & { label: string; secondary?: string; name: string }) => {
      const lb = await openFromCli(o, { create: false });
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      try {
        const r = await trainSimilaritySpace(lb.ctx, { name: o.name, column: o.label, secondaryColumn: o.secondary ?? null, onProgress: progress });
        progress.stop();
        const out = { model: r.record ? { name: r.record.name, version: r.record.version, metrics: r.record.metrics } : undefined, vectorsSpace: r.vectorsSpace, projected: r.projected };
        if (o.json) printJson(out);
        else process.stdout.write(`Trained ${out.model?.name} v${out.model?.version}; ${r.projected} items projected into ${r.vectorsSpace}\nValidation: ${JSON.stringify(out.model?.metrics)}\n`);
      } finally {
        progress.stop();
        await lb.close();
      }
    });
}

export function trainCommand(): Command {
  const cmd = new Command('train').description('Train models on the store\'s data: style heads, the learned similarity space, outfit compatibility, recommenders.');
  cmd.addCommand(styleTrain());
  cmd.addCommand(similarityTrain());
  cmd.addCommand(trainCompatibilityCommand());
  cmd.addCommand(trainRecommenderCommand());
  return cmd;
}
