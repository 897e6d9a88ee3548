/** Assembling head inputs: [embedding | colour histogram] per row, as the FeatureSpec says. */
import { LookbookError } from '../../errors.ts';
import { inputDim, type FeatureSpec } from './classifier.ts';

/**
 * Builds the row-major n × inputDim(spec) matrix. `vectors` is n × embeddingDim (ignored when the spec
 * does not use the embedding); a missing histogram row is zeros (and counted in `missingHistograms`).
 */
export function buildInputs(
  spec: FeatureSpec,
  n: number,
  vectors: Float32Array | undefined,
  histograms: (ArrayLike<number> | undefined)[] | undefined,
): { x: Float32Array; missingHistograms: number } {
  const d = inputDim(spec);
  const x = new Float32Array(n * d);
  const e = spec.useEmbedding ? spec.embeddingDim : 0;
  if (e > 0) {
    if (!vectors || vectors.length !== n * e) {
      throw new LookbookError('LB_ERR_DIMENSION', `expected ${n} × ${e} embedding values, got ${vectors?.length ?? 0}`);
    }
  }
  let missingHistograms = 0;
  for (let i = 0; i < n; i++) {
    if (e > 0) x.set(vectors!.subarray(i * e, (i + 1) * e), i * d);
    if (spec.histogramDim > 0) {
      const h = histograms?.[i];
      if (!h) missingHistograms++;
      else if (h.length !== spec.histogramDim) {
        throw new LookbookError('LB_ERR_DIMENSION', `colour histogram has ${h.length} bins, the model expects ${spec.histogramDim}`);
      } else for (let k = 0; k < spec.histogramDim; k++) x[i * d + e + k] = h[k]!;
    }
  }
  return { x, missingHistograms };
}
