/**
 * Thumbnails, generated once per (image bytes, size) and cached on disk under <dataDir>/thumbs/
 * (written to a temp file and renamed, so a crash never leaves a half-written thumbnail).
 * Concurrent requests for the same thumbnail share one generation.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { LookbookError } from '../errors.ts';

export const THUMB_SIZES = [128, 256, 512] as const;

export class ThumbnailCache {
  readonly dir: string;
  readonly #maxPixels: number;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(dataDir: string, maxPixels: number) {
    this.dir = path.join(dataDir, 'thumbs');
    this.#maxPixels = maxPixels;
  }

  /** Path of the JPEG thumbnail of `source` (whose bytes hash to `contentHash`), generating it if needed. */
  async get(source: string, contentHash: string, size: number): Promise<string> {
    if (!/^[0-9a-f]{16,128}$/i.test(contentHash)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'bad content hash');
    const file = path.join(this.dir, contentHash.slice(0, 2), `${contentHash}-${size}.jpg`);
    if (fs.existsSync(file)) return file;
    const running = this.#inflight.get(file);
    if (running) return running;
    const p = this.#make(source, file, size).finally(() => this.#inflight.delete(file));
    this.#inflight.set(file, p);
    return p;
  }

  async #make(source: string, file: string, size: number): Promise<string> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await sharp(source, { limitInputPixels: this.#maxPixels, pages: 1 })
        .rotate()
        .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 82, mozjpeg: true })
        .toFile(tmp);
      fs.renameSync(tmp, file);
      return file;
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      const msg = (e as Error).message ?? String(e);
      if (/ENOENT|no such file|Input file is missing/i.test(msg)) {
        throw new LookbookError('LB_ERR_NOT_FOUND', 'the item image file is missing on the server', { cause: e });
      }
      throw new LookbookError(/pixel limit/i.test(msg) ? 'LB_ERR_IMAGE_TOO_LARGE' : 'LB_ERR_IMAGE_DECODE', `cannot make a thumbnail: ${msg.split('\n')[0]}`, { cause: e });
    }
  }
}
