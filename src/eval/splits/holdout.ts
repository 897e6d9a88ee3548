/**
 * Hold-out split for data without time (e.g. outfits as users): a seeded share of every user's items
 * goes to test, and a seeded share of all items is made "cold" (all their events go to test), so that
 * models are measured on items absent from training.
 */
import { LookbookError } from '../../errors.ts';
import { mulberry32 } from '../../util/random.ts';

export interface UserItem {
  userId: string;
  itemId: string;
}

export interface HoldoutSplit<E> {
  train: E[];
  test: E[];
  coldItems: Set<string>;
}


export function holdoutSplit<E extends UserItem>(
  events: readonly E[],
  opts: { testPerUser?: number; coldItemFraction?: number; seed?: number; minTrainPerUser?: number } = {},
): HoldoutSplit<E> {
  const { testPerUser = 1, coldItemFraction = 0, seed = 42, minTrainPerUser = 1 } = opts;
  if (coldItemFraction < 0 || coldItemFraction >= 1) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'coldItemFraction must be in [0,1)');
  const rand = mulberry32(seed);
  const items = [...new Set(events.map((e) => e.itemId))].sort();
  const coldItems = new Set(items.filter(() => rand() < coldItemFraction));
  const byUser = new Map<string, E[]>();
  for (const e of events) {
    const l = byUser.get(e.userId);
    if (l) l.push(e);
    else byUser.set(e.userId, [e]);
  }
  const train: E[] = [];
  const test: E[] = [];
  for (const list of byUser.values()) {
    const warm = list.filter((e) => !coldItems.has(e.itemId));
    for (const e of list) if (coldItems.has(e.itemId)) test.push(e);
    // Fisher-Yates on the warm part, then the first testPerUser go to test if enough remain
    for (let i = warm.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [warm[i], warm[j]] = [warm[j]!, warm[i]!];
    }
    const nTest = warm.length - testPerUser >= minTrainPerUser ? testPerUser : 0;
    warm.forEach((e, i) => (i < nTest ? test : train).push(e));
  }
  return { train, test, coldItems };
}
