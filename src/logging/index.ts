/**
 * Levelled logging and typed progress events. The library emits ProgressEvents and never renders them;
 * the CLI renders bars and steps, the server exposes them as job status.
 */

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface Logger {
  error(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  debug(msg: string, extra?: unknown): void;
}

/** A logger writing to stderr, gated by level. */
export function createLogger(level: LogLevel = 'info', sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const at = (l: LogLevel) => (msg: string, extra?: unknown) => {
    if (ORDER[l] > ORDER[level]) return;
    sink(extra === undefined ? `[${l}] ${msg}` : `[${l}] ${msg} ${typeof extra === 'string' ? extra : JSON.stringify(extra)}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = createLogger('silent');

/** Progress of long work, keyed on status (like transformers.js ProgressInfo). */
export type ProgressEvent =
  | { status: 'step'; step: string; message?: string }
  | { status: 'start'; task: string; total: number; unit?: string }
  | { status: 'progress'; task: string; done: number; total: number; failed?: number; message?: string }
  | { status: 'done'; task: string; done: number; total: number; failed?: number; seconds: number }
  | { status: 'warn'; task: string; message: string; subject?: string };

export type ProgressCallback = (e: ProgressEvent) => void;
export const noProgress: ProgressCallback = () => {};
