/**
 * A simple colour-harmony heuristic between two garments (an outfit baseline, not a learned model):
 * neutrals go with everything; same/analogous hues and complementary hues score well; triadic is fair;
 * hues 45–100° apart clash, more so when both are vivid.
 */
import type { ColourShare } from '../../types.ts';
import { chroma, hueDeg, type Lab } from './lab.ts';
import { NEUTRAL_NAMES } from './names.ts';

function isNeutral(c: ColourShare): boolean {
  return NEUTRAL_NAMES.has(c.name) || chroma(c.lab as Lab) < 12;
}

/** Harmony of two single colours, 0..1. */
export function pairHarmony(x: ColourShare, y: ColourShare): number {
  const nx = isNeutral(x);
  const ny = isNeutral(y);
  if (nx && ny) return 0.85;
  if (nx || ny) return 0.9;
  const a = x.lab as Lab;
  const b = y.lab as Lab;
  let dh = Math.abs(hueDeg(a) - hueDeg(b));
  if (dh > 180) dh = 360 - dh;
  let s: number;
  if (dh <= 20) s = 0.8; // monochrome / same hue
  else if (dh <= 45) s = 0.75; // analogous
  else if (dh < 100) s = 0.35; // the awkward middle
  else if (dh < 140) s = 0.6; // triadic-ish
  else s = 0.75; // complementary / split-complementary
  // Two loud colours next to each other are riskier than muted ones.
  const vivid = Math.min(chroma(a), chroma(b));
  if (vivid > 50 && dh > 20) s -= 0.1;
  // Same hue with no lightness contrast reads as a near-miss match.
  if (dh <= 20 && Math.abs(a[0] - b[0]) < 8 && Math.hypot(a[1] - b[1], a[2] - b[2]) > 8) s -= 0.15;
  return Math.max(0, Math.min(1, s));
}

/** Share-weighted mean pair harmony over the top 3 colours of each garment, 0..1 (0.5 when unknown). */
export function coloursHarmony(a: ColourShare[], b: ColourShare[]): number {
  const ta = a.slice(0, 3);
  const tb = b.slice(0, 3);
  let num = 0;
  let den = 0;
  for (const x of ta) {
    for (const y of tb) {
      const w = x.share * y.share;
      num += w * pairHarmony(x, y);
      den += w;
    }
  }
  return den > 0 ? num / den : 0.5;
}
