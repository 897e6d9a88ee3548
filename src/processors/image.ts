/**
 * Image preparation (no model calls): bytes → checked, EXIF-oriented, alpha-flattened sRGB pixels,
 * decoded once, from which both the CNN input (letterboxed square) and a small raster (for colour
 * and pattern attributes) are derived.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { LookbookError } from '../errors.ts';

sharp.concurrency(2);

export const DEFAULT_MAX_PIXELS = 50e6;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
/** Longest side of PreparedImage.raster. */
export const RASTER_SIZE = 128;
const WHITE = { r: 255, g: 255, b: 255 };

export interface PrepareImageOptions {
  /** Side of the square CNN input. */
  inputSize: number;
  /** Largest accepted width×height of the original (decompression-bomb guard; default 50e6). */
  maxPixels?: number;
  /** Largest accepted file size in bytes (default 50 MB). */
  maxBytes?: number;
  /** Name reported as `source` and in errors when src is a Buffer. */
  name?: string;
}

export interface PreparedImage {
  /** File path, or opts.name, or 'buffer'. */
  source: string;
  /** sha256 hex of the raw file bytes. */
  contentHash: string;
  /** Of the original, after EXIF orientation. */
  width: number;
  height: number;
  format: string;
  /** size×size×3 RGB: EXIF-rotated, alpha flattened on white, letterboxed ('contain') on white. */
  input: { data: Uint8Array; size: number };
  /** RGB, longest side ≤ 128 (aspect kept, no padding), same orientation/flattening. */
  raster: { data: Uint8Array; width: number; height: number };
}

/** Reads a file with the byte limit applied before reading. */
async function readLimited(file: string, maxBytes: number): Promise<Buffer> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    throw new LookbookError('LB_ERR_IMAGE_DECODE', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      cause: e,
      subject: file,
    });
  }
  if (!st.isFile()) throw new LookbookError('LB_ERR_IMAGE_DECODE', `not a file: ${file}`, { subject: file });
  if (st.size > maxBytes) {
    throw new LookbookError('LB_ERR_IMAGE_TOO_LARGE', `file is ${st.size} bytes, limit ${maxBytes}`, {
      subject: file,
      details: { bytes: st.size, maxBytes },
    });
  }
  return fs.promises.readFile(file);
}

function decodeError(subject: string, e: unknown): LookbookError {
  const msg = (e as Error)?.message ?? String(e);
  if (/pixel limit/i.test(msg)) {
    return new LookbookError('LB_ERR_IMAGE_TOO_LARGE', `image exceeds the pixel limit: ${msg}`, { cause: e, subject });
  }
  return new LookbookError('LB_ERR_IMAGE_DECODE', `cannot decode image: ${msg.split('\n')[0]}`, { cause: e, subject });
}

/** Decodes, checks and prepares one image. Throws LookbookError (subject = the file) on bad input. */
export async function prepareImage(src: string | Buffer, opts: PrepareImageOptions): Promise<PreparedImage> {
  const size = opts.inputSize;
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `inputSize must be an integer in 1..4096, got ${size}`);
  }
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const source = typeof src === 'string' ? src : (opts.name ?? 'buffer');
  const bytes = typeof src === 'string' ? await readLimited(src, maxBytes) : src;
  if (bytes.length === 0) throw new LookbookError('LB_ERR_IMAGE_EMPTY', undefined, { subject: source });
  if (bytes.length > maxBytes) {
    throw new LookbookError('LB_ERR_IMAGE_TOO_LARGE', `image is ${bytes.length} bytes, limit ${maxBytes}`, {
      subject: source,
      details: { bytes: bytes.length, maxBytes },
    });
  }
  const contentHash = createHash('sha256').update(bytes).digest('hex');

  // Header only: format, size, orientation. Reject bombs before any pixel is decoded.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw decodeError(source, e);
  }
  if (!meta.width || !meta.height || !meta.format) {
    throw new LookbookError('LB_ERR_IMAGE_DECODE', 'image has no dimensions', { subject: source });
  }
  if (meta.width * meta.height > maxPixels) {
    throw new LookbookError('LB_ERR_IMAGE_TOO_LARGE', `image is ${meta.width}×${meta.height}, limit ${maxPixels} pixels`, {
      subject: source,
      details: { width: meta.width, height: meta.height, maxPixels },
    });
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;

  // Decode once (with shrink-on-load) to a working size that both outputs are derived from.
  const work = Math.max(size, RASTER_SIZE);
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .resize({ width: work, height: work, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: WHITE })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw decodeError(source, e);
  }
  const rgb = toRgb(pixels.data, pixels.info);
  const raw = { raw: { width: pixels.info.width, height: pixels.info.height, channels: 3 as const } };

  try {
    const [input, raster] = await Promise.all([
      sharp(rgb, raw).resize({ width: size, height: size, fit: 'contain', background: WHITE }).raw().toBuffer(),
      sharp(rgb, raw)
        .resize({ width: RASTER_SIZE, height: RASTER_SIZE, fit: 'inside', withoutEnlargement: true })
        .raw()
        .toBuffer({ resolveWithObject: true }),
    ]);
    return {
      source,
      contentHash,
      width,
      height,
      format: meta.format,
      input: { data: new Uint8Array(input.buffer, input.byteOffset, input.byteLength), size },
      raster: {
        data: new Uint8Array(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength),
        width: raster.info.width,
        height: raster.info.height,
      },
    };
  } catch (e) {
    throw decodeError(source, e);
  }
}

/** Ensures 3 interleaved 8-bit channels (greyscale outputs are expanded). */
function toRgb(data: Buffer, info: OutputInfo): Buffer {
  if (info.channels === 3) return data;
  const n = info.width * info.height;
  const out = Buffer.allocUnsafe(n * 3);
  const c = info.channels;
  for (let i = 0; i < n; i++) {
    const g = data[i * c];
    if (c >= 3) {
      out[i * 3] = g;
      out[i * 3 + 1] = data[i * c + 1];
      out[i * 3 + 2] = data[i * c + 2];
    } else {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
    }
  }
  return out;
}
