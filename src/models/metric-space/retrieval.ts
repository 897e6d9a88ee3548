/**
 * Exact leave-one-out retrieval quality inside a labelled set of L2-normalised vectors:
 * P@K = mean over queries of (neighbours among the K nearest, self excluded, with the same label) / K.
 * Runs the similarity matrix in chunks on tfjs (wasm). Queries with label < 0 are skipped; items with
 * label < 0 still act as (never relevant) neighbours.
 */
import { getTf } from '../../backends/tf.ts';

export interface RetrievalScore {
  precisionAtK: number;
  /** mAP@K with the K-truncated average precision normalised by min(K, relevant items). */
  mapAtK: number;
  queries: number;
  k: number;
}

export async function retrievalAtK(vectors: Float32Array, dim: number, labels: ArrayLike<number>, k = 10, opts: { queries?: number[] } = {}): Promise<RetrievalScore> {
  const tf = await getTf();
  const n = vectors.length / dim;
  const perLabel = new Map<number, number>();
  for (let i = 0; i < n; i++) perLabel.set(labels[i]!, (perLabel.get(labels[i]!) ?? 0) + 1);
  const queries = (opts.queries ?? Array.from({ length: n }, (_, i) => i)).filter((i) => labels[i]! >= 0);
  const all = tf.tensor2d(vectors, [n, dim]);
  const kk = Math.min(k + 1, n);
  let pSum = 0;
  let apSum = 0;
  const chunk = 512;
  try {
    for (let s = 0; s < queries.length; s += chunk) {
      const q = queries.slice(s, s + chunk);
      const { values, indices } = tf.tidy(() => {
        const qv = tf.gather(all, tf.tensor1d(q, 'int32'));
        const sims = tf.matMul(qv, all, false, true);
        // Push self-matches to the bottom.
        const self = tf.oneHot(tf.tensor1d(q, 'int32'), n).mul(-10);
        return tf.topk(tf.add(sims, self), kk);
      });
      const idx = (await indices.data()) as Int32Array;
      values.dispose();
      indices.dispose();
      for (let r = 0; r < q.length; r++) {
        const qi = q[r]!;
        const y = labels[qi]!;
        let hits = 0;
        let ap = 0;
        let taken = 0;
        for (let j = 0; j < kk && taken < k; j++) {
          const nb = idx[r * kk + j]!;
          if (nb === qi) continue;
          taken++;
          if (labels[nb] === y) {
            hits++;
            ap += hits / taken;
          }
        }
        pSum += hits / k;
        const rel = Math.min(k, (perLabel.get(y) ?? 1) - 1);
        apSum += rel > 0 ? ap / rel : 0;
      }
    }
  } finally {
    all.dispose();
  }
  return { precisionAtK: pSum / Math.max(1, queries.length), mapAtK: apSum / Math.max(1, queries.length), queries: queries.length, k };
}
