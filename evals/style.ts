/**
 * Style evaluation on an ingested catalogue (default: the fashion-product-images-small eval cache).
 *   node --import tsx evals/style.ts --data-dir .cache/eval/fashion-small --label usage [--json]
 *     [--seed 42] [--space] [--space-only] [--register-space] [--no-img]
 *     [--space-label articleType] [--space-secondary baseColour] [--aux articleType [--aux-weight 0.5]]
 * --space also evaluates the learned similarity space (articleType, raw vs learned, held-out items);
 * --register-space trains a space on every item and stores it as learned:default (for `similar`).
 * The confusion matrix picture goes to docs/img/style-confusion-<label>.svg / .png.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createProgressRenderer } from '../src/cli/progress.ts';
import { confusionSvg } from '../src/eval/confusion-svg.ts';
import { evaluateLearnedSpace, type LearnedSpaceEvalResult } from '../src/eval/similarity-learned.ts';
import { evaluateStyle, type StyleEvalResult } from '../src/eval/style.ts';
import { Lookbook } from '../src/lookbook.ts';
import { loadFeatureSet } from '../src/models/classifier/dataset.ts';
import { trainSimilaritySpace } from '../src/models/metric-space/from-store.ts';
import { REPO_ROOT, evalCacheDir } from '../src/testing/datasets.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const json = args.includes('--json');
const dataDir = path.resolve(REPO_ROOT, opt('--data-dir', evalCacheDir('eval', 'fashion-small')));
const label = opt('--label', 'usage');
const seed = Number(opt('--seed', '42'));
const spaceLabel = opt('--space-label', 'articleType');
const spaceSecondary = opt('--space-secondary', 'baseColour');
/** Hidden ReLU units before the projection (0 = linear); pick it on the validation P@10, not the test split. */
const spaceHidden = Number(opt('--space-hidden', '0'));
/** Auxiliary (multi-task) label for the CNN head, e.g. articleType when evaluating usage. */
const auxColumn = args.includes('--aux') ? opt('--aux', 'articleType') : undefined;
const auxWeight = Number(opt('--aux-weight', '0.5'));
if (!fs.existsSync(path.join(dataDir, 'lookbook.db'))) {
  console.error(`no ingested catalogue in ${dataDir} (run: node --import tsx evals/prepare.ts fashion-small)`);
  process.exit(2);
}

const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
function formatStyle(r: StyleEvalResult): string {
  const lines = [
    `Style evaluation: label ${r.label}; ${r.protocol}`,
    `Sizes: ${r.sizes.labelled} labelled (train ${r.sizes.train}, test ${r.sizes.test}); ${r.sizes.missingLabel} without a label, ${r.sizes.withoutFeatures} without features`,
    `Classes: ${r.classes.map((c, j) => `${c} ${r.classCounts[j]}`).join(', ')}${r.rare.length ? `; grouped into ${r.otherClass}: ${r.rare.map((x) => `${x.value} ${x.count}`).join(', ')}` : ''}`,
    `Frequent classes (≥100 examples): ${r.frequentClasses.join(', ')}`,
    '',
    `| model | accuracy | macro-F1 (all) | macro-F1 (≥100) | ECE | train s | predict s | epochs |`,
    `|---|---|---|---|---|---|---|---|`,
  ];
  for (const m of r.models) {
    lines.push(
      `| ${m.name} | ${pct(m.report.accuracy)} | ${m.report.macroF1.toFixed(3)} | ${m.report.macroF1Frequent.toFixed(3)} | ${m.ece === undefined ? '—' : m.ece.toFixed(3)} | ${m.trainSeconds.toFixed(1)} | ${m.predictSeconds.toFixed(2)} | ${m.epochs ?? '—'} |`,
    );
  }
  const best = r.models.at(-1)!;
  lines.push('', `Per class (${best.name}):`, '', '| class | precision | recall | F1 | support |', '|---|---|---|---|---|');
  for (const p of best.report.perClass) lines.push(`| ${p.label} | ${pct(p.precision)} | ${pct(p.recall)} | ${p.f1.toFixed(3)} | ${p.support} |`);
  const classes = best.report.perClass.map((p) => p.label);
  lines.push('', 'Confusion matrix (rows = true, columns = predicted):', '', `| true \\ predicted | ${classes.join(' | ')} |`, `|---|${classes.map(() => '---').join('|')}|`);
  best.report.confusion.forEach((row, i) => lines.push(`| ${classes[i]} | ${row.join(' | ')} |`));
  const ex = best.extra ?? {};
  lines.push('', `Calibration (validation split): temperature ${Number(ex.temperature).toFixed(3)}, ECE ${Number(ex.valEceBefore).toFixed(3)} → ${Number(ex.valEce).toFixed(3)}; decision β ${ex.decisionBeta}`);
  lines.push(`Total time ${r.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

function formatSpace(r: LearnedSpaceEvalResult): string {
  const lines = [`Learned similarity space: ${r.protocol}`, `Sizes: train ${r.sizes.train}, held-out ${r.sizes.test}; training ${r.trainSeconds.toFixed(1)} s (${r.metrics.epochs} epochs, best ${r.metrics.bestEpoch}); hidden units ${spaceHidden}; validation P@10 (from the training part) ${Number(r.metrics.valPrecisionAt10).toFixed(3)}`, '', '| same … | raw P@10 | learned P@10 | raw mAP@10 | learned mAP@10 |', '|---|---|---|---|---|'];
  for (const row of r.rows) lines.push(`| ${row.column} | ${row.raw.precisionAtK.toFixed(3)} | ${row.learned.precisionAtK.toFixed(3)} | ${row.raw.mapAtK.toFixed(3)} | ${row.learned.mapAtK.toFixed(3)} |`);
  return lines.join('\n');
}

const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
const progress = createProgressRenderer({ quiet: json });
try {
  const t = performance.now();
  const features = await loadFeatureSet(lb.ctx.store, lb.ctx.backboneName);
  if (!json) console.error(`loaded ${features.ids.length} items with ${lb.ctx.backboneName} features in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const out: { style?: StyleEvalResult; space?: LearnedSpaceEvalResult; registered?: unknown } = {};
  if (!args.includes('--space-only')) {
    out.style = await evaluateStyle(lb.ctx, { label, seed, features, onProgress: progress, head: auxColumn ? { auxColumn, auxWeight } : undefined });
    if (!args.includes('--no-img')) {
      const best = out.style.models.at(-1)!;
      const svg = confusionSvg(best.report.confusion, best.report.perClass.map((p) => p.label), { title: `${label}: ${best.name} (test split)` });
      const img = path.join(REPO_ROOT, 'docs', 'img');
      fs.mkdirSync(img, { recursive: true });
      fs.writeFileSync(path.join(img, `style-confusion-${label}.svg`), svg);
      await sharp(Buffer.from(svg)).png().toFile(path.join(img, `style-confusion-${label}.png`));
    }
  }
  if (args.includes('--space') || args.includes('--space-only')) {
    out.space = await evaluateLearnedSpace(lb.ctx, { column: spaceLabel, secondaryColumn: spaceSecondary, hidden: spaceHidden, seed, features, onProgress: progress });
  }
  if (args.includes('--register-space')) {
    const r = await trainSimilaritySpace(lb.ctx, { column: spaceLabel, secondaryColumn: spaceSecondary, hidden: spaceHidden, features, onProgress: progress });
    out.registered = { model: r.record, vectors: r.vectorsSpace, projected: r.projected };
  }
  progress.stop();
  if (json) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`Data: ${dataDir}`);
    if (out.style) console.log(formatStyle(out.style));
    if (out.space) console.log(`\n${formatSpace(out.space)}`);
    if (out.registered) console.log(`\nRegistered: ${JSON.stringify(out.registered)}`);
  }
} finally {
  await lb.close();
}
