/**
 * Versioned model files shared by the heads: `weights.bin` (float32 little-endian tensors back to back)
 * + `meta.json` (class name, format version, tensor table, anything model-specific).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LookbookError } from '../../errors.ts';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

export interface SavedMeta {
  className: string;
  formatVersion: number;
  tensors: TensorEntry[];
  [key: string]: unknown;
}

/** Writes tensors + meta atomically enough for a model folder (files are written then renamed). */
export function saveTensors(dir: string, meta: Omit<SavedMeta, 'tensors'>, tensors: Record<string, { shape: number[]; data: Float32Array }>): string {
  fs.mkdirSync(dir, { recursive: true });
  const table: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new LookbookError('LB_ERR_INTERNAL', `tensor ${name}: shape ${t.shape} does not match ${t.data.length} values`);
    table.push({ name, shape: t.shape, offset });
    offset += size;
  }
  const all = new Float32Array(offset);
  for (const e of table) all.set(tensors[e.name]!.data, e.offset);
  const wTmp = path.join(dir, 'weights.bin.tmp');
  const mTmp = path.join(dir, 'meta.json.tmp');
  fs.writeFileSync(wTmp, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  fs.writeFileSync(mTmp, `${JSON.stringify({ ...meta, tensors: table }, null, 2)}\n`);
  fs.renameSync(wTmp, path.join(dir, 'weights.bin'));
  fs.renameSync(mTmp, path.join(dir, 'meta.json'));
  return dir;
}

/** Reads a model folder written by saveTensors; checks the class name and format version. */
export function loadTensors(dir: string, className: string, maxFormat: number): { meta: SavedMeta; tensors: Map<string, Float32Array> } {
  const metaPath = path.join(dir, 'meta.json');
  const wPath = path.join(dir, 'weights.bin');
  let meta: SavedMeta;
  let buf: Buffer;
  try {
    meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as SavedMeta;
    buf = fs.readFileSync(wPath);
  } catch (e) {
    throw new LookbookError('LB_ERR_MODEL_FORMAT', `cannot read model files in ${dir}`, { cause: e, subject: dir });
  }
  if (meta.className !== className) {
    throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir} holds a ${String(meta.className)}, not a ${className}`, { subject: dir });
  }
  if (typeof meta.formatVersion !== 'number' || meta.formatVersion > maxFormat) {
    throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir}: unsupported format version ${String(meta.formatVersion)}`, { subject: dir });
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tensors = new Map<string, Float32Array>();
  for (const e of meta.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > all.length) throw new LookbookError('LB_ERR_MODEL_FORMAT', `${dir}: weights.bin is truncated`, { subject: dir });
    tensors.set(e.name, all.slice(e.offset, e.offset + size));
  }
  return { meta, tensors };
}

/** Folder of a model version, relative to the data directory: models/<safe name>/v<version>. */
export function modelRelPath(name: string, version: number): string {
  return path.join('models', name.replace(/[^A-Za-z0-9._-]+/g, '-'), `v${version}`);
}
