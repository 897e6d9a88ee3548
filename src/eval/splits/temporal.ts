/**
 * Temporal split: train on events before a cutoff, test on events at or after it (never random).
 * The cutoff is given, or chosen as the time quantile that leaves `testFraction` of events for test.
 * Also used to carve a validation split out of the training events (split the train part again).
 */
import { LookbookError } from '../../errors.ts';

export interface Timed {
  timestamp: number;
}

export interface TemporalSplit<E> {
  train: E[];
  test: E[];
  /** ms since epoch; train < cutoff ≤ test. */
  cutoff: number;
}

export function temporalSplit<E extends Timed>(events: readonly E[], opts: { cutoff?: number; testFraction?: number } = {}): TemporalSplit<E> {
  if (events.length < 2) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'temporal split needs at least 2 events');
  let cutoff = opts.cutoff;
  if (cutoff === undefined) {
    const f = opts.testFraction ?? 0.2;
    if (!(f > 0 && f < 1)) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `testFraction must be in (0,1), got ${f}`);
    const times = events.map((e) => e.timestamp).sort((a, b) => a - b);
    cutoff = times[Math.min(times.length - 1, Math.floor(times.length * (1 - f)))]!;
  }
  const train: E[] = [];
  const test: E[] = [];
  for (const e of events) (e.timestamp < cutoff ? train : test).push(e);
  if (train.length === 0 || test.length === 0) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `cutoff ${new Date(cutoff).toISOString()} leaves an empty ${train.length === 0 ? 'train' : 'test'} split`);
  }
  return { train, test, cutoff };
}
