import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './index.ts';
import { LookbookError } from '../errors.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-cfg-'));
  dirs.push(d);
  return d;
}

test('precedence: flags > environment > config file > defaults', () => {
  const cwd = tmp();
  fs.writeFileSync(path.join(cwd, 'lookbook.config.json'), JSON.stringify({ dataDir: 'from-file', port: 9000, threads: 1 }));
  const env = { LOOKBOOK_PORT: '9100', LOOKBOOK_DATA_DIR: 'from-env' };
  const c = loadConfig({ dataDir: 'from-flag' }, { env, cwd });
  assert.equal(c.dataDir, path.join(cwd, 'from-flag'));
  assert.equal(c.port, 9100);
  assert.equal(c.threads, 1);
  assert.equal(c.backbone, 'mobilenet_v2_140');
  const d = loadConfig({}, { env: {}, cwd: tmp() });
  assert.equal(path.basename(d.dataDir), 'lookbook-data');
  assert.equal(d.port, 8080);
});

test('invalid values and a missing explicit config file are clear errors', () => {
  const cwd = tmp();
  assert.throws(() => loadConfig({}, { env: { LOOKBOOK_THREADS: 'many' }, cwd }), (e: unknown) => e instanceof LookbookError && /threads/.test(e.message));
  assert.throws(() => loadConfig({ config: 'nope.json' }, { env: {}, cwd }), (e: unknown) => e instanceof LookbookError && /not found/.test(e.message));
  fs.writeFileSync(path.join(cwd, 'bad.json'), '{');
  assert.throws(() => loadConfig({ config: 'bad.json' }, { env: {}, cwd }), (e: unknown) => e instanceof LookbookError && /not valid JSON/.test(e.message));
});

test('a custom ONNX backbone is accepted with defaults filled in', () => {
  const c = loadConfig({ backbone: { path: '/models/clip.onnx', name: 'clip' } as never }, { env: {}, cwd: os.tmpdir() });
  assert.equal(typeof c.backbone, 'object');
  if (typeof c.backbone === 'object') {
    assert.equal(c.backbone.inputSize, 224);
    assert.equal(c.backbone.layout, 'NCHW');
  }
});
