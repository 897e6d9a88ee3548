/**
 * Test fixture shared by the server tests: a real Lookbook on a temporary data directory holding the
 * project's synthetic catalogue (120 images), ingested once through the real CNN.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeSyntheticCatalogue } from '../catalog/synthetic.ts';
import { Lookbook } from '../lookbook.ts';

export interface Fixture {
  lb: Lookbook;
  dir: string;
  csv: string;
  imagesDir: string;
  cleanup(): Promise<void>;
}

export async function ingestedFixture(opts: { ingest?: boolean } = {}): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookbook-server-'));
  const csv = await makeSyntheticCatalogue(path.join(dir, 'catalogue'), { variants: 1 });
  const lb = await Lookbook.open({ dataDir: path.join(dir, 'data'), ignoreEnv: true, logLevel: 'error' });
  if (opts.ingest ?? true) await lb.ingest({ metadata: csv, writeReport: false });
  return {
    lb,
    dir,
    csv,
    imagesDir: path.join(dir, 'catalogue', 'images'),
    async cleanup() {
      await lb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A multipart/form-data body (for app.inject) with text fields and optionally one file. */
export function multipartBody(
  fields: Record<string, string>,
  file?: { field?: string; name: string; type: string; data: Buffer },
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----lookbook${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'image'}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
