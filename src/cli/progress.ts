/** Renders the library's ProgressEvents: a bar with rate and ETA on a terminal, periodic lines otherwise. */
import cliProgress from 'cli-progress';
import type { ProgressCallback, ProgressEvent } from '../logging/index.ts';

/** "1 epoch", "40 epochs": units are given in the singular or plural; shown in the plural for totals. */
export function plural(unit: string | undefined): string {
  if (!unit) return '';
  return unit.endsWith('s') ? unit : `${unit}s`;
}

/** The tail of a progress line: the task's own message (e.g. loss) and failures, when there are any. */
export function progressExtra(e: { failed?: number; message?: string }): string {
  return `${e.failed ? ` | failed ${e.failed}` : ''}${e.message ? ` | ${e.message}` : ''}`;
}

export function createProgressRenderer(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): ProgressCallback & { stop(): void } {
  const stream = opts.stream ?? process.stderr;
  let bar: cliProgress.SingleBar | undefined;
  let lastPct = -1;
  let startedAt = 0;
  const fn = ((e: ProgressEvent) => {
    if (opts.quiet) return;
    switch (e.status) {
      case 'step':
        stream.write(`• ${e.step}${e.message ? `: ${e.message}` : ''}\n`);
        break;
      case 'start':
        startedAt = Date.now();
        lastPct = -1;
        if (stream.isTTY) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: `${e.task} [{bar}] {percentage}% | {value}/{total} ${plural(e.unit)} | {rate}/s | ETA {eta_formatted}{extra}`,
              hideCursor: true,
              etaBuffer: 200,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, 0, { rate: '0.0', extra: '' });
        } else {
          stream.write(`${e.task}: ${e.total} ${plural(e.unit)}\n`);
        }
        break;
      case 'progress': {
        const secs = (Date.now() - startedAt) / 1000 || 1e-3;
        const rate = (e.done / secs).toFixed(1);
        if (bar) bar.update(e.done, { rate, extra: progressExtra(e) });
        else {
          const pct = e.total ? Math.floor((e.done / e.total) * 10) : 0;
          if (pct !== lastPct) {
            lastPct = pct;
            const eta = e.done ? ((e.total - e.done) * secs) / e.done : 0;
            stream.write(`${e.task}: ${e.done}/${e.total} (${rate}/s, ETA ${eta.toFixed(0)} s)${progressExtra(e)}\n`);
          }
        }
        break;
      }
      case 'done':
        if (bar) {
          bar.update(e.done);
          bar.stop();
          bar = undefined;
        }
        stream.write(`${e.task}: done ${e.done}/${e.total} in ${e.seconds.toFixed(1)} s${e.failed ? `, ${e.failed} failed` : ''}\n`);
        break;
      case 'warn':
        stream.write(`! ${e.task}: ${e.subject ? `${e.subject}: ` : ''}${e.message}\n`);
        break;
    }
  }) as ProgressCallback & { stop(): void };
  fn.stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return fn;
}
