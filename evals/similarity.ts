/**
 * Similarity evaluation on the real catalogue (fashion-product-images-small): leave-one-out P@10 and
 * mAP@10 of same articleType and same baseColour, ANN recall@10 against exact search; raw CNN features
 * beside the learned space when one has been trained into the eval data dir.
 *   node --import tsx evals/similarity.ts [--queries 2000] [--json]
 */
import { evaluateSimilarity, type SimilarityEvalResult } from '../src/eval/similarity.ts';
import { formatSimilarityEval } from '../src/cli/commands/eval.ts';
import { prepareDataset } from './prepare.ts';

const args = process.argv.slice(2);
const qi = args.indexOf('--queries');
const queries = qi >= 0 ? Number(args[qi + 1]) : 2000;
const lb = await prepareDataset('fashion-small', { quiet: args.includes('--json') });
try {
  const results: SimilarityEvalResult[] = [];
  for (const label of ['articleType', 'baseColour']) {
    results.push(await evaluateSimilarity(lb.ctx, { label, queries, seed: 42 }));
  }
  if (args.includes('--json')) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`Data: ${lb.config.dataDir} (fashion-product-images-small, development part)`);
    console.log(formatSimilarityEval(results));
  }
} finally {
  await lb.close();
}
