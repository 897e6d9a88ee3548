/**
 * Atomic file replacement: write a temp file in the target's directory, fsync it, rename it over
 * the target, fsync the directory. A crash leaves either the old file or the new one, never a mix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LookbookError } from '../errors.ts';

const TMP_MARK = '.tmp-';

/** Temp path beside `target` (same directory, so rename is atomic). */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${path.basename(target)}${TMP_MARK}${process.pid}-${Date.now().toString(36)}`);
}

function fsyncPath(p: string, flags: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, flags);
    fs.fsyncSync(fd);
  } catch (e) {
    // Some platforms cannot fsync a directory; the file fsync is what matters there.
    if (flags === 'r+') throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `target` atomically. `write(tmp)` must create the file at `tmp` (e.g. a native save).
 */
export function writeFileAtomic(target: string, write: (tmpPath: string) => void): void {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(target);
  try {
    write(tmp);
    fsyncPath(tmp, 'r+');
    fs.renameSync(tmp, target);
    fsyncPath(dir, 'r');
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new LookbookError('LB_ERR_STORE', `could not save ${target}: ${(e as Error).message}`, { cause: e, subject: target });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files left in `dir` by interrupted atomic writes of processes that no longer run.
 * Returns how many were removed.
 */
export function removeStaleTemps(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const name of fs.readdirSync(dir)) {
    const at = name.indexOf(TMP_MARK);
    if (at < 0) continue;
    const pid = Number.parseInt(name.slice(at + TMP_MARK.length), 10);
    if (!Number.isFinite(pid) || pid === process.pid || !processAlive(pid)) {
      fs.rmSync(path.join(dir, name), { force: true });
      n++;
    }
  }
  return n;
}
