/**
 * Real-data check on fashion-small (test half of the id split; anchors were only sanity-tuned on the dev half):
 * the top colour's name/family should agree with the catalogue's baseColour far above chance.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { extractAttributes, colourFamily } from './index.ts';
import { CLEAR_LABEL_FAMILY, hashId, loadRaster, readStyles, sameFamily, sameName, splitOf } from './eval-support.ts';
import { requireDataset } from '../testing/datasets.ts';

test('top colour agrees with baseColour far above chance on 100 real product shots', async (t) => {
  const dir = requireDataset(t, 'fashion-small');
  if (!dir) return;
  const rows = readStyles(dir)
    .filter((r) => r.masterCategory === 'Apparel' && CLEAR_LABEL_FAMILY[r.baseColour] && splitOf(r.id) === 'test')
    .filter((r) => fs.existsSync(path.join(dir, 'images', `${r.id}.jpg`)))
    .sort((a, b) => hashId(`unit:${a.id}`) - hashId(`unit:${b.id}`))
    .slice(0, 100);
  assert.equal(rows.length, 100);
  let exact = 0;
  let family = 0;
  const labelFam = new Map<string, number>();
  const predFam = new Map<string, number>();
  for (const r of rows) {
    const a = extractAttributes(await loadRaster(path.join(dir, 'images', `${r.id}.jpg`)));
    const top = a.colours[0]?.name ?? 'none';
    exact += sameName(top, r.baseColour) ? 1 : 0;
    family += sameFamily(top, r.baseColour) ? 1 : 0;
    const lf = CLEAR_LABEL_FAMILY[r.baseColour]!;
    const pf = colourFamily(top) ?? 'none';
    labelFam.set(lf, (labelFam.get(lf) ?? 0) + 1);
    predFam.set(pf, (predFam.get(pf) ?? 0) + 1);
  }
  // Chance: a predictor drawing families independently with our marginal distribution.
  const chance = [...labelFam].reduce((s, [k, v]) => s + (v / 100) * ((predFam.get(k) ?? 0) / 100), 0);
  console.log(`fashion-small test split, 100 apparel images: exact ${exact}%, family ${family}%, family chance ${(chance * 100).toFixed(1)}%`);
  assert.ok(family / 100 > 3 * chance, `family agreement ${family}% vs chance ${(chance * 100).toFixed(1)}%`);
  assert.ok(family >= 45, `family agreement ${family}%`);
  assert.ok(exact >= 25, `exact-name agreement ${exact}%`);
});
