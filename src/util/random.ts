/** Seeded randomness for reproducible splits and samples. */

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place (arrays and typed arrays); returns its argument. */
export function shuffle<A extends { length: number; [i: number]: unknown }>(arr: A, rand: () => number): A {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/** n distinct elements of arr (all of them when n ≥ length), in random order. */
export function sampleIndices<T>(arr: readonly T[], n: number, rand: () => number): T[] {
  const copy = [...arr];
  shuffle(copy, rand);
  return copy.slice(0, Math.min(n, copy.length));
}
