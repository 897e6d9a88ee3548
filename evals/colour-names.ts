/**
 * Colour-name agreement of extractAttributes' top colour with fashion-small's `baseColour` column,
 * plus per-image extraction time and a pattern-label check against words in productDisplayName.
 *
 *   node --import tsx evals/colour-names.ts [--n 2000] [--split test|dev|all] [--seed 1] [--category Apparel|all] [--mango 300]
 *
 * --mango N also times extraction on N mango-outfits images (239×334 → 92×128 rasters), when that set is present.
 *
 * Protocol: rows whose baseColour is a clear single colour (CLEAR_LABEL_FAMILY); a deterministic sample
 * (hash order) of the chosen split (dev = tune anchors on it; test = report only). Exact = predicted name
 * equals the label; family = predicted name's family equals the label's. Chance = agreement of a
 * predictor that draws names independently with the same marginal distribution as ours.
 */
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { extractAttributes, type RgbRaster } from '../src/attributes/index.ts';
import { colourFamily } from '../src/attributes/colour/names.ts';
import { CLEAR_LABEL_FAMILY, hashId, loadRaster, readStyles, sameFamily, sameName, splitOf } from '../src/attributes/eval-support.ts';
import { datasetPath } from '../src/testing/datasets.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, split: { type: 'string', default: 'test' }, seed: { type: 'string', default: '1' }, category: { type: 'string', default: 'Apparel' }, mango: { type: 'string', default: '300' } },
});
const N = Number(values.n);
const seed = Number(values.seed);
const dir = datasetPath('fashion-small');
if (!dir) {
  console.error('fashion-small data set not found (set LOOKBOOK_SHARED_DATA)');
  process.exit(1);
}
const t0 = performance.now();
const rows = readStyles(dir)
  .filter((r) => CLEAR_LABEL_FAMILY[r.baseColour] !== undefined)
  .filter((r) => values.category === 'all' || r.masterCategory === values.category)
  .filter((r) => values.split === 'all' || splitOf(r.id) === values.split)
  .filter((r) => fs.existsSync(path.join(dir, 'images', `${r.id}.jpg`)))
  .sort((a, b) => hashId(`${seed}:${a.id}`) - hashId(`${seed}:${b.id}`) || a.id.localeCompare(b.id))
  .slice(0, N);

const rasters: RgbRaster[] = [];
for (const r of rows) rasters.push(await loadRaster(path.join(dir, 'images', `${r.id}.jpg`)));
const tDecode = performance.now();
// Warm-up, then time extraction alone (decode excluded).
for (let i = 0; i < Math.min(50, rasters.length); i++) extractAttributes(rasters[i]!);
const times: number[] = [];
const preds = rasters.map((ras) => {
  const s = performance.now();
  const a = extractAttributes(ras);
  times.push(performance.now() - s);
  return a;
});

let exact = 0;
let family = 0;
let fallback = 0;
const perLabel = new Map<string, { n: number; exact: number; family: number; preds: Map<string, number> }>();
const labelCount = new Map<string, number>();
const predCount = new Map<string, number>();
const labelFam = new Map<string, number>();
const predFam = new Map<string, number>();
rows.forEach((r, i) => {
  const top = preds[i]!.colours[0]?.name ?? 'none';
  if (preds[i]!.pattern?.scores.maskFallback) fallback++;
  const e = sameName(top, r.baseColour);
  const f = sameFamily(top, r.baseColour);
  exact += e ? 1 : 0;
  family += f ? 1 : 0;
  const s = perLabel.get(r.baseColour) ?? { n: 0, exact: 0, family: 0, preds: new Map() };
  s.n++;
  s.exact += e ? 1 : 0;
  s.family += f ? 1 : 0;
  s.preds.set(top, (s.preds.get(top) ?? 0) + 1);
  perLabel.set(r.baseColour, s);
  labelCount.set(r.baseColour.toLowerCase(), (labelCount.get(r.baseColour.toLowerCase()) ?? 0) + 1);
  predCount.set(top, (predCount.get(top) ?? 0) + 1);
  const lf = CLEAR_LABEL_FAMILY[r.baseColour]!;
  labelFam.set(lf, (labelFam.get(lf) ?? 0) + 1);
  const pf = colourFamily(top) ?? 'none';
  predFam.set(pf, (predFam.get(pf) ?? 0) + 1);
});
const n = rows.length;
const chance = (a: Map<string, number>, b: Map<string, number>): number =>
  [...a].reduce((s, [k, v]) => s + (v / n) * ((b.get(k) ?? 0) / n), 0);

times.sort((a, b) => a - b);
const mean = times.reduce((s, v) => s + v, 0) / times.length;
console.log(`colour-name agreement · fashion-small · masterCategory=${values.category} · split=${values.split} · n=${n} · seed=${seed}`);
console.log(`top-colour exact name : ${(exact / n * 100).toFixed(1)}%   (chance ${(chance(labelCount, predCount) * 100).toFixed(1)}%)`);
console.log(`top-colour family     : ${(family / n * 100).toFixed(1)}%   (chance ${(chance(labelFam, predFam) * 100).toFixed(1)}%)`);
console.log(`mask fallback used    : ${(fallback / n * 100).toFixed(1)}%`);
console.log('\nlabel          n   exact  family  top predictions');
for (const [label, s] of [...perLabel].sort((a, b) => b[1].n - a[1].n)) {
  const top = [...s.preds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${label.padEnd(12)} ${String(s.n).padStart(4)}  ${(s.exact / s.n * 100).toFixed(0).padStart(4)}%  ${(s.family / s.n * 100).toFixed(0).padStart(5)}%  ${top}`);
}

// Pattern label vs words in the product name (a weak, noisy label: most names say nothing).
const WORDS: Array<[RegExp, string]> = [
  [/\bsolid\b/i, 'solid'],
  [/\bstripe[sd]?\b/i, 'striped'],
  [/\bcheck(s|ed)?\b/i, 'checked'],
  [/\bprint(s|ed)?\b/i, 'printed'],
];
const pat = new Map<string, Map<string, number>>();
rows.forEach((r, i) => {
  const hit = WORDS.filter(([re]) => re.test(r.productDisplayName));
  if (hit.length !== 1) return;
  const truth = hit[0]![1];
  const m = pat.get(truth) ?? new Map<string, number>();
  const p = preds[i]!.pattern?.label ?? 'none';
  m.set(p, (m.get(p) ?? 0) + 1);
  pat.set(truth, m);
});
console.log('\npattern label vs product-name word (rows naming exactly one of solid/striped/checked/printed)');
let pn = 0;
let pc = 0;
for (const [truth, m] of pat) {
  const tot = [...m.values()].reduce((s, v) => s + v, 0);
  pn += tot;
  pc += m.get(truth) ?? 0;
  console.log(`${truth.padEnd(8)} n=${String(tot).padStart(4)}  ${[...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
if (process.env.PATTERN_DEBUG) {
  const keys = ['edgeDensity', 'meanGradient', 'coherence', 'rowPeriodicity', 'colPeriodicity', 'colourSpread'];
  for (const [, truth] of WORDS) {
    const sc = rows.map((r, i) => ({ r, s: preds[i]!.pattern!.scores })).filter(({ r }) => { const h = WORDS.filter(([re]) => re.test(r.productDisplayName)); return h.length === 1 && h[0]![1] === truth; });
    console.log(truth.padEnd(8), keys.map((k) => { const v = sc.map((x) => x.s[k]!).sort((a, b) => a - b); const q = (t: number) => (v[Math.floor(t * (v.length - 1))] ?? 0).toFixed(2); return `${k} ${q(0.25)}/${q(0.5)}/${q(0.75)}`; }).join('  '));
  }
}
const predTot = new Map<string, number>();
for (const m of pat.values()) for (const [k, v] of m) predTot.set(k, (predTot.get(k) ?? 0) + v);
const truthTot = [...pat].map(([k, m]) => [k, [...m.values()].reduce((s, v) => s + v, 0)] as const);
const pChance = truthTot.reduce((s, [k, v]) => s + (v / pn) * ((predTot.get(k) ?? 0) / pn), 0);
const pMajority = Math.max(0, ...truthTot.map(([, v]) => v)) / (pn || 1);
console.log(`pattern agreement: ${pn ? ((pc / pn) * 100).toFixed(1) : '-'}% of ${pn}  (chance ${(pChance * 100).toFixed(1)}%, majority class ${(pMajority * 100).toFixed(1)}%)`);
console.log(`\nextract time per image (decode excluded, ${times.length} images, longest side ≤128): mean ${mean.toFixed(2)} ms, p50 ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(2)} ms`);
console.log(`decode ${((tDecode - t0) / 1000).toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const mangoN = Number(values.mango);
const mangoDir = datasetPath('mango');
if (mangoN > 0 && mangoDir) {
  const files = fs.readdirSync(path.join(mangoDir, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, mangoN);
  const rs: RgbRaster[] = [];
  for (const f of files) rs.push(await loadRaster(path.join(mangoDir, 'images', f)));
  for (const r of rs.slice(0, 50)) extractAttributes(r);
  const ts: number[] = [];
  for (const r of rs) {
    const s = performance.now();
    extractAttributes(r);
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  const m = ts.reduce((s, v) => s + v, 0) / ts.length;
  console.log(`extract time per image on mango (${rs.length} images, ${rs[0]!.width}×${rs[0]!.height}): mean ${m.toFixed(2)} ms, p50 ${ts[Math.floor(ts.length / 2)]!.toFixed(2)} ms, p95 ${ts[Math.floor(ts.length * 0.95)]!.toFixed(2)} ms`);
}
