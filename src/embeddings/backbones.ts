/**
 * The backbone registry: a data table naming each CNN feature extractor (input size, layout,
 * normalisation, output, dimension) and how to prepare its ONNX file. Built-ins are converted once
 * from the TF.js weights that the `nsfwjs` npm package ships (nothing is downloaded) and cached under
 * `<dataDir>/models/backbones/<name>-<version>.onnx`. A user may instead point at any ONNX image model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LookbookError } from '../errors.ts';
import { convertTfjsToOnnx, loadNsfwjsModel } from './tfjs-to-onnx.ts';

export interface BackboneSpec {
  name: string;
  /** Bumped whenever the prepared file would change (cache key). */
  version: string;
  /** Square input side in pixels. */
  inputSize: number;
  /** Tensor layout the model expects. */
  layout: 'NHWC' | 'NCHW';
  /** Per-channel normalisation applied to RGB values in [0,1]: (x - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Input / output tensor names (default: the model's first input / output). */
  inputName?: string;
  outputName?: string;
  /** Embedding dimension; for custom models it is read from the model when omitted. */
  dim?: number;
  /** Where the ONNX comes from. */
  source: { kind: 'nsfwjs'; model: string } | { kind: 'onnx'; path: string };
  description?: string;
}

/** Built-in backbones. Their ONNX input takes NHWC RGB in [0,1]; scaling is inside the graph. */
export const BACKBONES: Record<string, BackboneSpec> = {
  mobilenet_v2_140: {
    name: 'mobilenet_v2_140',
    version: '1',
    inputSize: 224,
    layout: 'NHWC',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    inputName: 'input',
    outputName: 'embedding',
    dim: 1792,
    source: { kind: 'nsfwjs', model: 'mobilenet_v2_mid' },
    description: 'MobileNetV2 1.4 ImageNet feature vector (TF-Hub), pooled 1792-d; weights from nsfwjs',
  },
  mobilenet_v2_100: {
    name: 'mobilenet_v2_100',
    version: '1',
    inputSize: 224,
    layout: 'NHWC',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    inputName: 'input',
    outputName: 'embedding',
    dim: 1280,
    source: { kind: 'nsfwjs', model: 'mobilenet_v2' },
    description: 'MobileNetV2 1.0 (blocks 11-16 fine-tuned by nsfwjs), pooled 1280-d; weights from nsfwjs',
  },
};

export const DEFAULT_BACKBONE = 'mobilenet_v2_140';

/** User configuration for their own ONNX image model. */
export interface CustomBackboneOptions {
  name?: string;
  path: string;
  inputSize: number;
  layout?: 'NHWC' | 'NCHW';
  mean?: [number, number, number];
  std?: [number, number, number];
  inputName?: string;
  outputName?: string;
  version?: string;
}

/** Builds the spec of a user-supplied ONNX model (name `custom` unless given). */
export function customBackbone(o: CustomBackboneOptions): BackboneSpec {
  if (!o.path) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'a custom backbone needs the path of an ONNX file');
  if (!Number.isInteger(o.inputSize) || o.inputSize < 8 || o.inputSize > 2048) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `custom backbone inputSize must be an integer in 8..2048, got ${o.inputSize}`);
  }
  const std = o.std ?? [1, 1, 1];
  if (std.some((s) => !(s > 0))) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'custom backbone std values must be > 0');
  return {
    name: o.name ?? 'custom',
    version: o.version ?? '1',
    inputSize: o.inputSize,
    layout: o.layout ?? 'NCHW',
    mean: o.mean ?? [0, 0, 0],
    std,
    inputName: o.inputName,
    outputName: o.outputName,
    source: { kind: 'onnx', path: path.resolve(o.path) },
  };
}

/** Looks a backbone up by name (or passes a spec through). Unknown names: LB_ERR_INVALID_ARGUMENT. */
export function resolveBackbone(nameOrSpec: string | BackboneSpec = DEFAULT_BACKBONE): BackboneSpec {
  if (typeof nameOrSpec !== 'string') return nameOrSpec;
  const spec = BACKBONES[nameOrSpec];
  if (!spec) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', `unknown backbone "${nameOrSpec}" (known: ${Object.keys(BACKBONES).join(', ')}, or a custom ONNX model)`);
  }
  return spec;
}

export interface PreparedBackbone {
  spec: BackboneSpec;
  /** Path of the ONNX file to open. */
  modelPath: string;
  /** True when this call converted the model (false: cache hit or user file). */
  converted: boolean;
}

/** Where a built-in backbone's converted model is cached. */
export function backboneCachePath(spec: BackboneSpec, dataDir: string): string {
  return path.join(dataDir, 'models', 'backbones', `${spec.name}-${spec.version}.onnx`);
}

/**
 * Makes the backbone's ONNX file available: converts built-ins once (temp file + rename, so a
 * crash never leaves a half-written model) and reuses the cached file afterwards.
 */
export async function prepareBackbone(nameOrSpec: string | BackboneSpec, dataDir: string): Promise<PreparedBackbone> {
  const spec = resolveBackbone(nameOrSpec);
  if (spec.source.kind === 'onnx') {
    if (!fs.existsSync(spec.source.path)) {
      throw new LookbookError('LB_ERR_BACKBONE', `custom backbone model not found: ${spec.source.path}`, { subject: spec.source.path });
    }
    return { spec, modelPath: spec.source.path, converted: false };
  }
  const target = backboneCachePath(spec, dataDir);
  if (fs.existsSync(target) && fs.statSync(target).size > 0) return { spec, modelPath: target, converted: false };
  const converted = convertTfjsToOnnx(loadNsfwjsModel(spec.source.model), {
    inputSize: spec.inputSize,
    producer: `lookbook ${spec.name}-${spec.version}`,
  });
  if (spec.dim !== undefined && converted.dim !== spec.dim) {
    throw new LookbookError('LB_ERR_BACKBONE', `${spec.name}: converted dimension ${converted.dim} != ${spec.dim}`);
  }
  try {
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(converted.onnx);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, target);
  } catch (e) {
    throw new LookbookError('LB_ERR_BACKBONE', `cannot write the backbone cache: ${(e as Error).message}`, { cause: e, subject: target });
  }
  return { spec, modelPath: target, converted: true };
}
