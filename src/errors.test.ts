import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE, LookbookError, reasonOf } from './errors.ts';
import { REPO_ROOT } from './testing/datasets.ts';

test('every error code is named LB_ERR_*, has an HTTP status and is documented in docs/errors.md', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
  for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(code, /^LB_ERR_[A-Z_]+$/);
    assert.ok(status >= 400 && status < 600, `${code} status`);
    assert.ok(doc.includes(`\`${code}\``), `${code} is missing from docs/errors.md`);
    assert.ok(new RegExp(`\`${code}\`\\s*\\|\\s*${status}`).test(doc), `${code} has the wrong status in docs/errors.md`);
  }
  const documented = [...doc.matchAll(/`(LB_ERR_[A-Z_]+)`/g)].map((m) => m[1]!);
  for (const code of documented) assert.ok(code in ERROR_CATALOGUE, `docs/errors.md documents unknown code ${code}`);
});

test('LookbookError carries code, status, subject and serialises to JSON', () => {
  const e = new LookbookError('LB_ERR_IMAGE_DECODE', 'not an image', { subject: 'a.jpg' });
  assert.equal(e.status, 422);
  assert.deepEqual(e.toJSON(), { code: 'LB_ERR_IMAGE_DECODE', message: 'not an image', subject: 'a.jpg' });
  assert.equal(reasonOf(e), 'LB_ERR_IMAGE_DECODE: not an image');
  assert.equal(reasonOf(new Error('x')), 'x');
});
