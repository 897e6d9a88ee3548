import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { confusionSvg } from './confusion-svg.ts';

test('confusion SVG names every class, shows counts, escapes text and rasterises with sharp', async () => {
  const svg = confusionSvg([[5, 1], [0, 3]], ['Casual', 'A&B <x>'], { title: 'usage' });
  assert.match(svg, /^<svg /);
  assert.match(svg, />Casual</);
  assert.match(svg, /A&amp;B &lt;x&gt;/);
  for (const n of ['5', '1', '0', '3']) assert.match(svg, new RegExp(`>${n}</text>`));
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.ok((meta.width ?? 0) > 100);
});
