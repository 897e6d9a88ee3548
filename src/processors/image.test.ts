import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { prepareImage, RASTER_SIZE, type PreparedImage } from './image.ts';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookbook-image-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const S = 64;
const write = (name: string, data: Buffer | string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};
/** Pixel (x,y) of the CNN input. */
const px = (p: PreparedImage, x: number, y: number): number[] => {
  const i = (y * p.input.size + x) * 3;
  return [...p.input.data.subarray(i, i + 3)];
};
const near = (a: number[], b: number[], tol = 24): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** A 120×80 image: left half red, right half blue. */
const redBlue = () =>
  sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 220, g: 0, b: 0 } } }).composite([
    { input: { create: { width: 60, height: 80, channels: 3, background: { r: 0, g: 0, b: 220 } } }, left: 60, top: 0 },
  ]);

function checkShape(p: PreparedImage, w: number, h: number): void {
  assert.equal(p.width, w);
  assert.equal(p.height, h);
  assert.equal(p.input.size, S);
  assert.equal(p.input.data.length, S * S * 3);
  assert.ok(Math.max(p.raster.width, p.raster.height) <= RASTER_SIZE);
  assert.equal(p.raster.data.length, p.raster.width * p.raster.height * 3);
  assert.match(p.contentHash, /^[0-9a-f]{64}$/);
}

test('baseline JPEG: letterboxed on white, colours in place, hash of the file bytes', async () => {
  const file = write('rb.jpg', await redBlue().jpeg({ quality: 95 }).toBuffer());
  const p = await prepareImage(file, { inputSize: S });
  checkShape(p, 120, 80);
  assert.equal(p.format, 'jpeg');
  assert.equal(p.source, file);
  // 120×80 → 64×43 content, centred: top and bottom bands are white padding.
  assert.ok(near(px(p, 32, 2), [255, 255, 255], 2));
  assert.ok(near(px(p, 32, 61), [255, 255, 255], 2));
  assert.ok(near(px(p, 10, 32), [220, 0, 0]));
  assert.ok(near(px(p, 54, 32), [0, 0, 220]));
  assert.deepEqual([p.raster.width, p.raster.height], [120, 80]); // no enlargement
  const again = await prepareImage(fs.readFileSync(file), { inputSize: S, name: 'upload.jpg' });
  assert.equal(again.contentHash, p.contentHash);
  assert.equal(again.source, 'upload.jpg');
  assert.deepEqual(again.input.data, p.input.data);
});

test('EXIF orientation 6 is honoured (dimensions and pixel positions rotate)', async () => {
  // Stored 120×80, red left / blue right; orientation 6 = rotate 90° clockwise for display:
  // displayed 80×120 with red on top and blue at the bottom.
  const file = write('rot.jpg', await redBlue().jpeg().withMetadata({ orientation: 6 }).toBuffer());
  const p = await prepareImage(file, { inputSize: S });
  checkShape(p, 80, 120);
  assert.ok(near(px(p, 32, 10), [220, 0, 0]), `top is ${px(p, 32, 10)}`);
  assert.ok(near(px(p, 32, 54), [0, 0, 220]), `bottom is ${px(p, 32, 54)}`);
  assert.ok(near(px(p, 2, 32), [255, 255, 255], 2)); // side padding
  assert.deepEqual([p.raster.width, p.raster.height], [80, 120]);
});

test('alpha PNG: the transparent area becomes white', async () => {
  const img = sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).composite([
    { input: { create: { width: 50, height: 100, channels: 4, background: { r: 0, g: 160, b: 0, alpha: 1 } } }, left: 0, top: 0 },
  ]);
  const p = await prepareImage(write('alpha.png', await img.png().toBuffer()), { inputSize: S });
  checkShape(p, 100, 100);
  assert.ok(near(px(p, 10, 32), [0, 160, 0], 4));
  assert.ok(near(px(p, 54, 32), [255, 255, 255], 2));
});

test('CMYK JPEG is converted to sRGB', async () => {
  const buf = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(buf).metadata()).space, 'cmyk');
  const p = await prepareImage(write('cmyk.jpg', buf), { inputSize: S });
  checkShape(p, 40, 40);
  const [r, g, b] = px(p, 32, 32);
  assert.ok(r > 150 && g < 100 && b < 100, `reddish, got ${[r, g, b]}`);
});

test('greyscale, progressive JPEG, 16-bit PNG, palette PNG, WebP, AVIF, GIF, TIFF all decode', async () => {
  const base = () => redBlue();
  const cases: [string, Buffer, string][] = [
    ['grey.jpg', await base().greyscale().jpeg().toBuffer(), 'jpeg'],
    ['prog.jpg', await base().jpeg({ progressive: true }).toBuffer(), 'jpeg'],
    ['16.png', await base().toColourspace('rgb16').png().toBuffer(), 'png'],
    ['pal.png', await base().png({ palette: true, colours: 8 }).toBuffer(), 'png'],
    ['x.webp', await base().webp().toBuffer(), 'webp'],
    ['x.avif', await base().avif().toBuffer(), 'heif'],
    ['x.gif', await base().gif().toBuffer(), 'gif'],
    ['x.tiff', await base().tiff().toBuffer(), 'tiff'],
  ];
  assert.equal((await sharp(cases[2][1]).metadata()).depth, 'ushort');
  assert.equal((await sharp(cases[3][1]).metadata()).isPalette, true);
  for (const [name, buf, format] of cases) {
    const p = await prepareImage(write(name, buf), { inputSize: S });
    checkShape(p, 120, 80);
    assert.equal(p.format, format, name);
    if (name === 'grey.jpg') {
      const [r, g, b] = px(p, 10, 32);
      assert.ok(r === g && g === b && r < 200, `${name}: grey pixel ${[r, g, b]}`);
    } else {
      assert.ok(near(px(p, 10, 32), [220, 0, 0], 40), `${name}: left ${px(p, 10, 32)}`);
      assert.ok(near(px(p, 54, 32), [0, 0, 220], 40), `${name}: right ${px(p, 54, 32)}`);
    }
  }
});

test('animated GIF: the first frame is used', async () => {
  const frames = Buffer.concat([Buffer.alloc(30 * 30 * 3, 0), Buffer.alloc(30 * 30 * 3, 255)]);
  for (let i = 0; i < 30 * 30; i++) frames[i * 3] = 200; // frame 1 red-ish
  const gif = await sharp(frames, { raw: { width: 30, height: 60, channels: 3, pageHeight: 30 } }).gif().toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  const p = await prepareImage(write('anim.gif', gif), { inputSize: S });
  checkShape(p, 30, 30);
  assert.ok(near(px(p, 32, 32), [200, 0, 0], 30), `${px(p, 32, 32)}`);
});

test('bad inputs throw typed errors with the file as subject', async () => {
  const jpeg = await redBlue().jpeg().toBuffer();
  const cases: [string, Buffer | string, string][] = [
    ['empty.jpg', Buffer.alloc(0), 'LB_ERR_IMAGE_EMPTY'],
    ['text.jpg', 'this is not an image\n', 'LB_ERR_IMAGE_DECODE'],
    ['trunc.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'LB_ERR_IMAGE_DECODE'],
    ['bomb.png', pngHeader(100000, 100000), 'LB_ERR_IMAGE_TOO_LARGE'],
  ];
  for (const [name, data, code] of cases) {
    const file = write(name, data);
    await assert.rejects(prepareImage(file, { inputSize: S }), (e: any) => {
      assert.equal(e.code, code, `${name}: ${e.message}`);
      assert.equal(e.subject, file);
      return true;
    });
  }
  await assert.rejects(prepareImage(path.join(dir, 'missing.jpg'), { inputSize: S }), { code: 'LB_ERR_IMAGE_DECODE' });
  // Configured limits.
  const file = write('ok.jpg', jpeg);
  await assert.rejects(prepareImage(file, { inputSize: S, maxPixels: 100 * 50 }), { code: 'LB_ERR_IMAGE_TOO_LARGE' });
  await assert.rejects(prepareImage(file, { inputSize: S, maxBytes: 100 }), { code: 'LB_ERR_IMAGE_TOO_LARGE' });
  await assert.rejects(prepareImage(jpeg, { inputSize: S, maxBytes: 100, name: 'up.jpg' }), { code: 'LB_ERR_IMAGE_TOO_LARGE', subject: 'up.jpg' });
});

/** A PNG whose IHDR claims w×h with one tiny (invalid) IDAT: the pixel limit must reject it first. */
function pngHeader(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
