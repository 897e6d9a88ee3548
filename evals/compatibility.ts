/**
 * Outfit compatibility evaluation (FITB + AUC) on a data directory with ingested items, features
 * and outfits:
 *   node --import tsx evals/compatibility.ts --data-dir .cache/eval/mango [--json] [--seed 42]
 *        [--category-column des_product_family] [--backbone mobilenet_v2_140] [--max-steps 1200]
 *        [--histogram-weight 0.5] [--register]
 * --register saves the model trained on the training split into the store (for benchmarks/outfit.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/index.ts';
import { evaluateCompatibility } from '../src/eval/compatibility.ts';
import { MODEL_NAME, compatibilitySpace, publishVectors } from '../src/models/compatibility/registry.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.cache/eval/mango' },
    json: { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    'category-column': { type: 'string', default: 'des_product_family' },
    backbone: { type: 'string', default: 'mobilenet_v2_140' },
    'max-steps': { type: 'string', default: '1200' },
    'histogram-weight': { type: 'string', default: '0.5' },
    dim: { type: 'string', default: '128' },
    register: { type: 'boolean', default: false },
  },
});
const dataDir = path.resolve(values['data-dir']!);
const store = await openStore({ dataDir });
const log = values.json ? () => {} : (l: string) => console.log(l);
try {
  log(`compatibility eval on ${dataDir}`);
  const r = await evaluateCompatibility(store, {
    backbone: values.backbone!, categoryColumn: values['category-column']!, seed: Number(values.seed),
    maxSteps: Number(values['max-steps']), histogramWeight: Number(values['histogram-weight']), dim: Number(values.dim), onLog: log,
  });
  const { trained, ...report } = r;
  const command = `node --import tsx evals/compatibility.ts ${process.argv.slice(2).join(' ')}`.trim();
  if (values.register) {
    const prev = await store.getModel(MODEL_NAME);
    const rel = path.join('models', MODEL_NAME, `v${(prev?.version ?? 0) + 1}`);
    trained.save(path.join(dataDir, rel));
    const rec = await store.putModel({ name: MODEL_NAME, kind: 'compatibility', path: rel, metrics: trained.meta.metrics, meta: { class: trained.meta.class, evalSplit: true } });
    const { storeItemTable } = await import('../src/models/compatibility/registry.ts');
    const { items } = await storeItemTable(store, trained.meta.backbone, trained.meta.categoryColumn, trained.meta.histogramWeight);
    await publishVectors(store, trained, items.ids, items.categories, items.vectors, rec.version);
    log(`registered ${MODEL_NAME} v${rec.version} (${rel}), vectors in space ${compatibilitySpace(rec.version)}`);
  }
  if (values.json) {
    console.log(JSON.stringify({ command, ...report }, null, 2));
  } else {
    console.log(`\nprotocol: ${report.protocol}`);
    console.log(`items ${report.items} (${report.categories} categories by ${report.categoryColumn}), backbone ${report.backbone}`);
    console.log(`outfits ${report.outfits.total}: train ${report.outfits.train}, test ${report.outfits.test}; FITB questions ${report.fitbQuestions}; negative outfits ${report.negatives} per variant; seed ${report.seed}`);
    console.log(`model: ${report.model.steps} steps in ${report.model.trainSeconds.toFixed(1)} s; validation FITB ${report.model.valFitb.toFixed(3)}, AUC ${report.model.valAuc.toFixed(3)}`);
    console.log('\n| method | FITB (4 cand.) | AUC (all swapped) | AUC (one swapped) |\n|---|---|---|---|');
    for (const m of report.results) console.log(`| ${m.method} | ${(100 * m.fitb).toFixed(1)}% | ${m.aucAll.toFixed(3)} | ${m.aucOne.toFixed(3)} |`);
    console.log(`\ntotal time ${report.seconds.toFixed(1)} s\ncommand: ${command}`);
  }
} finally {
  await store.close();
}
