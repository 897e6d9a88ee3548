/**
 * Brute-force top-k by dot product over a flat row-major Float32Array.
 * With L2-normalised rows and query, the dot product is the cosine similarity.
 */

export interface TopK {
  /** Row numbers, best first. */
  rows: Int32Array;
  scores: Float32Array;
}

/**
 * Best `k` rows of `matrix` (n × dim) for `query`, optionally only among `subset` (row numbers).
 * Ties are broken by the lower row number, so results are deterministic.
 */
export function topKDot(matrix: Float32Array, dim: number, query: Float32Array, k: number, subset?: ArrayLike<number>): TopK {
  const n = subset ? subset.length : matrix.length / dim;
  const kk = Math.min(k, n);
  // Min-heap of the current best kk (root = worst kept).
  const hRows = new Int32Array(kk);
  const hScores = new Float64Array(kk);
  let size = 0;
  const worse = (sa: number, ra: number, sb: number, rb: number): boolean => sa < sb || (sa === sb && ra > rb);
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(hScores[l], hRows[l], hScores[m], hRows[m])) m = l;
      if (r < size && worse(hScores[r], hRows[r], hScores[m], hRows[m])) m = r;
      if (m === i) return;
      const ts = hScores[i];
      const tr = hRows[i];
      hScores[i] = hScores[m];
      hRows[i] = hRows[m];
      hScores[m] = ts;
      hRows[m] = tr;
      i = m;
    }
  };
  for (let t = 0; t < n; t++) {
    const row = subset ? subset[t] : t;
    const off = row * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[off + j] * query[j];
    if (size < kk) {
      // Sift up.
      let i = size++;
      hScores[i] = s;
      hRows[i] = row;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(hScores[i], hRows[i], hScores[p], hRows[p])) break;
        const ts = hScores[i];
        const tr = hRows[i];
        hScores[i] = hScores[p];
        hRows[i] = hRows[p];
        hScores[p] = ts;
        hRows[p] = tr;
        i = p;
      }
    } else if (kk > 0 && worse(hScores[0], hRows[0], s, row)) {
      hScores[0] = s;
      hRows[0] = row;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) =>
    hScores[b] - hScores[a] || hRows[a] - hRows[b],
  );
  const rows = new Int32Array(size);
  const scores = new Float32Array(size);
  order.forEach((h, i) => {
    rows[i] = hRows[h];
    scores[i] = hScores[h];
  });
  return { rows, scores };
}
