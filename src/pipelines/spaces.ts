/**
 * Which vector space a similarity search runs in: the raw CNN features of the backbone, or a learned
 * projection trained on catalogue labels (src/models/metric-space) when one exists.
 */
import type { LookbookContext } from '../context.ts';
import { LookbookError } from '../errors.ts';

export interface ResolvedSpace {
  /** Space name as stored (backbone name for raw features). */
  name: string;
  /** Maps a raw backbone vector into the space (undefined for raw). */
  project?: (raw: Float32Array) => Float32Array;
}

export type SpaceResolver = (ctx: LookbookContext, requested: string) => Promise<ResolvedSpace | undefined>;

const resolvers: SpaceResolver[] = [];

/** Learned spaces register a resolver here (keeps this module free of model imports). */
export function registerSpaceResolver(r: SpaceResolver): void {
  resolvers.push(r);
}

export async function resolveSpace(ctx: LookbookContext, requested: string): Promise<ResolvedSpace> {
  if (requested === 'raw' || requested === ctx.backboneName) return { name: ctx.backboneName };
  for (const r of resolvers) {
    const s = await r(ctx, requested);
    if (s) return s;
  }
  if (requested === 'auto') return { name: ctx.backboneName };
  throw new LookbookError('LB_ERR_MODEL_MISSING', `no similarity space named "${requested}" (train one with: lookbook train similarity)`);
}
