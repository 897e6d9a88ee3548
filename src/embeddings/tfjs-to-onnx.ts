/**
 * Converts the TF.js MobileNetV2 models shipped (as JS modules) by the `nsfwjs` npm package into
 * ONNX feature extractors, so that onnxruntime runs them (≈5× faster than TF.js wasm).
 *
 * Two front ends read either format into a tiny IR (affine, conv, add); one back end writes ONNX:
 *   input `input` NHWC float [N,S,S,3] in [0,1] → Transpose → convs → GlobalAveragePool → Flatten → `embedding`.
 * - graph models (`mobilenet_v2_mid`, TF-Hub MobileNetV2 1.4): Mul/Sub, _FusedConv2D, FusedDepthwiseConv2dNative,
 *   AddV2, AvgPool (the NSFW dense head after the pool is dropped);
 * - Keras layers models (`mobilenet_v2`, MobileNetV2 1.0): ZeroPadding2D, Conv2D, DepthwiseConv2D,
 *   BatchNormalization (folded into the conv), ReLU(max 6), Add, pooling (the dense head is dropped).
 * Weights are uint8-quantized in the shards: value = min + scale·q.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { LookbookError } from '../errors.ts';
import { irToOnnx, type Ir, type Op, type Weight } from './onnx-writer.ts';

// ---------------------------------------------------------------- reading nsfwjs files

export type { Weight };

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min?: number; scale?: number; dtype: string };
}
/** The model.json object plus the concatenated weight bytes of all shards. */
export interface TfjsModel {
  json: {
    format?: string;
    modelTopology: any;
    weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  };
  weightData: Uint8Array;
}

/** Loads `node_modules/nsfwjs/dist/models/<name>/` (model.min.js exports the JSON, shards export base64). */
export function loadNsfwjsModel(name: string): TfjsModel {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    // The package's `exports` hide package.json: resolve its entry and climb to the package root.
    let root = path.dirname(require.resolve('nsfwjs'));
    while (path.basename(root) !== 'nsfwjs' && path.dirname(root) !== root) root = path.dirname(root);
    dir = path.join(root, 'dist', 'models', name);
  } catch (e) {
    throw new LookbookError('LB_ERR_BACKBONE', 'the nsfwjs package is not installed', { cause: e });
  }
  try {
    const json = require(path.join(dir, 'model.min.js')) as TfjsModel['json'];
    const parts: Buffer[] = [];
    for (const group of json.weightsManifest) {
      for (const p of group.paths) {
        const b64 = require(path.join(dir, `${p}.min.js`)) as unknown;
        if (typeof b64 !== 'string') throw new Error(`shard ${p} does not export a base64 string`);
        parts.push(Buffer.from(b64, 'base64'));
      }
    }
    const all = Buffer.concat(parts);
    return { json, weightData: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) };
  } catch (e) {
    if (e instanceof LookbookError) throw e;
    throw new LookbookError('LB_ERR_BACKBONE', `cannot read nsfwjs model ${name}: ${(e as Error).message}`, {
      cause: e,
      subject: dir,
    });
  }
}

/** Dequantizes every weight of the manifest (in order) from the concatenated shard bytes. */
export function decodeWeights(model: TfjsModel): Map<string, Weight> {
  const out = new Map<string, Weight>();
  const bytes = model.weightData;
  let off = 0;
  for (const group of model.json.weightsManifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      const q = w.quantization;
      if (q && q.dtype === 'uint8') {
        const min = q.min ?? 0;
        const scale = q.scale ?? 1;
        for (let i = 0; i < n; i++) values[i] = min + scale * bytes[off + i];
        off += n;
      } else if (!q && w.dtype === 'float32') {
        values.set(new Float32Array(bytes.slice(off, off + 4 * n).buffer));
        off += 4 * n;
      } else {
        throw new LookbookError('LB_ERR_BACKBONE', `unsupported weight encoding for ${w.name}`);
      }
      out.set(w.name, { shape: w.shape, values });
    }
  }
  if (off !== bytes.length) {
    throw new LookbookError('LB_ERR_BACKBONE', `weight bytes mismatch: manifest ${off}, shards ${bytes.length}`);
  }
  return out;
}

/** HWIO (conv) → OIHW. */
function hwioToOihw(w: Weight): Weight {
  const [kh, kw, ci, co] = w.shape;
  const v = new Float32Array(w.values.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) v[((o * ci + i) * kh + h) * kw + x] = w.values[((h * kw + x) * ci + i) * co + o];
  return { shape: [co, ci, kh, kw], values: v };
}

/** Depthwise [kh,kw,C,M] → [C·M,1,kh,kw] (group = C). */
function depthwiseToOihw(w: Weight): Weight {
  const [kh, kw, c, m] = w.shape;
  const v = new Float32Array(w.values.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < c; i++)
        for (let j = 0; j < m; j++) v[((i * m + j) * kh + h) * kw + x] = w.values[((h * kw + x) * c + i) * m + j];
  return { shape: [c * m, 1, kh, kw], values: v };
}

const b64 = (s: string | undefined): string => (s ? Buffer.from(s, 'base64').toString('utf8') : '');
const ints = (a: any): number[] => ((a?.list?.i ?? []) as string[]).map(Number);

export function graphToIr(model: TfjsModel, weights: Map<string, Weight>): Ir {
  const nodes: any[] = model.json.modelTopology.node;
  const byName = new Map<string, any>(nodes.map((n) => [n.name, n]));
  const pool = nodes.find((n) => n.op === 'AvgPool' || n.op === 'Mean');
  if (!pool) throw new LookbookError('LB_ERR_BACKBONE', 'graph model has no pooling node to stop at');
  const ops: Op[] = [];
  const done = new Map<string, string>(); // tf node name → IR tensor name
  let counter = 0;
  const constOf = (name: string): Weight => {
    const w = weights.get(name);
    if (!w) throw new LookbookError('LB_ERR_BACKBONE', `missing weight ${name}`);
    return w;
  };
  const visit = (name: string): string => {
    const cached = done.get(name);
    if (cached) return cached;
    const n = byName.get(name.split(':')[0]);
    if (!n) throw new LookbookError('LB_ERR_BACKBONE', `graph refers to unknown node ${name}`);
    const inputs: string[] = (n.input ?? []).filter((i: string) => !i.startsWith('^'));
    switch (n.op) {
      case 'Placeholder':
        done.set(n.name, 'x');
        return 'x';
      case 'Identity':
        return visit(inputs[0]);
      case 'Mul':
      case 'Sub': {
        const [a, b] = inputs.map((i) => byName.get(i));
        const c = a.op === 'Const' ? a : b;
        const x = a.op === 'Const' ? b : a;
        const k = constOf(c.name).values;
        if (k.length !== 1 || (n.op === 'Sub' && c !== b)) throw new LookbookError('LB_ERR_BACKBONE', `unsupported ${n.op}`);
        const input = visit(x.name);
        const out = `t${counter++}`;
        ops.push({ kind: 'affine', input, output: out, mul: n.op === 'Mul' ? k[0] : 1, sub: n.op === 'Sub' ? k[0] : 0 });
        break;
      }
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const fused = ((n.attr?.fused_ops?.list?.s ?? []) as string[]).map(b64);
        if (fused[0] !== 'BiasAdd' || fused.length > 2) throw new LookbookError('LB_ERR_BACKBONE', `unsupported fusion ${fused}`);
        const act = fused[1] === 'Relu6' ? 'relu6' : fused[1] === 'Relu' ? 'relu' : 'none';
        if (fused[1] && act === 'none') throw new LookbookError('LB_ERR_BACKBONE', `unsupported activation ${fused[1]}`);
        if (b64(n.attr?.data_format?.s) !== 'NHWC' || ints(n.attr?.dilations).some((d) => d !== 1)) {
          throw new LookbookError('LB_ERR_BACKBONE', `unsupported conv layout in ${n.name}`);
        }
        const padding = b64(n.attr?.padding?.s);
        if (padding !== 'SAME' && padding !== 'VALID') throw new LookbookError('LB_ERR_BACKBONE', `unsupported padding ${padding}`);
        const st = ints(n.attr?.strides);
        const input = visit(inputs[0]);
        const raw = constOf(inputs[1]);
        const depthwise = n.op === 'FusedDepthwiseConv2dNative';
        const weight = depthwise ? depthwiseToOihw(raw) : hwioToOihw(raw);
        const out = `t${counter++}`;
        ops.push({
          kind: 'conv', input, output: out, weight, bias: constOf(inputs[2]).values, strides: [st[1], st[2]],
          pads: padding === 'SAME' ? 'SAME' : [0, 0, 0, 0], group: depthwise ? raw.shape[2] : 1, act,
        });
        break;
      }
      case 'AddV2':
      case 'Add': {
        const a = visit(inputs[0]);
        const b = visit(inputs[1]);
        const out = `t${counter++}`;
        ops.push({ kind: 'add', a, b, output: out });
        break;
      }
      default:
        throw new LookbookError('LB_ERR_BACKBONE', `unsupported TF op ${n.op} (${n.name})`);
    }
    const out = ops[ops.length - 1].output;
    done.set(n.name, out);
    return out;
  };
  const features = visit(pool.input[0]);
  const last = [...ops].reverse().find((o): o is Extract<Op, { kind: 'conv' }> => o.kind === 'conv');
  return { ops, features, dim: last ? last.weight.shape[0] : 0 };
}

function layersToIr(model: TfjsModel, weights: Map<string, Weight>): Ir {
  const layers: any[] = model.json.modelTopology.model_config.config.layers;
  const ops: Op[] = [];
  const tensorOf = new Map<string, string>(); // layer name → IR tensor
  const pendingPad = new Map<string, [number, number, number, number]>(); // layer name → pads to fold
  const w = (name: string): Weight => {
    const x = weights.get(name);
    if (!x) throw new LookbookError('LB_ERR_BACKBONE', `missing weight ${name}`);
    return x;
  };
  const lastConv = (): Extract<Op, { kind: 'conv' }> | undefined => {
    const o = ops[ops.length - 1];
    return o?.kind === 'conv' ? o : undefined;
  };
  let features: string | undefined;
  let dim = 0;
  for (const l of layers) {
    const cfg = l.config;
    const ins: string[] = (l.inbound_nodes?.[0] ?? []).map((x: any[]) => x[0] as string);
    const src = ins[0];
    const out = `t${tensorOf.size}`;
    switch (l.class_name) {
      case 'InputLayer':
        tensorOf.set(l.name, 'x');
        continue;
      case 'ZeroPadding2D': {
        const p = cfg.padding as [[number, number], [number, number]];
        pendingPad.set(l.name, [p[0][0], p[1][0], p[0][1], p[1][1]]);
        tensorOf.set(l.name, tensorOf.get(src)!);
        continue;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (cfg.data_format !== 'channels_last' || (cfg.dilation_rate ?? [1, 1]).some((d: number) => d !== 1)) {
          throw new LookbookError('LB_ERR_BACKBONE', `unsupported conv config in ${l.name}`);
        }
        const depthwise = l.class_name === 'DepthwiseConv2D';
        const raw = w(`${l.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
        const weight = depthwise ? depthwiseToOihw(raw) : hwioToOihw(raw);
        const bias = cfg.use_bias ? Float32Array.from(w(`${l.name}/bias`).values) : new Float32Array(weight.shape[0]);
        const pre = pendingPad.get(src);
        if (pre && cfg.padding !== 'valid') throw new LookbookError('LB_ERR_BACKBONE', `padding before SAME conv ${l.name}`);
        const act = cfg.activation === 'relu' ? 'relu' : 'none';
        if (cfg.activation !== 'linear' && act === 'none') throw new LookbookError('LB_ERR_BACKBONE', `unsupported activation in ${l.name}`);
        ops.push({
          kind: 'conv', input: tensorOf.get(src)!, output: out, weight, bias, strides: cfg.strides,
          pads: cfg.padding === 'same' ? 'SAME' : (pre ?? [0, 0, 0, 0]), group: depthwise ? raw.shape[2] : 1, act,
        });
        break;
      }
      case 'BatchNormalization': {
        const conv = lastConv();
        if (!conv || conv.output !== tensorOf.get(src) || conv.act !== 'none') {
          throw new LookbookError('LB_ERR_BACKBONE', `cannot fold ${l.name}: it does not follow a linear conv`);
        }
        const eps = cfg.epsilon ?? 1e-3;
        const g = cfg.scale ? w(`${l.name}/gamma`).values : undefined;
        const beta = cfg.center ? w(`${l.name}/beta`).values : undefined;
        const mean = w(`${l.name}/moving_mean`).values;
        const vari = w(`${l.name}/moving_variance`).values;
        const per = conv.weight.values.length / conv.weight.shape[0];
        for (let o = 0; o < conv.weight.shape[0]; o++) {
          const s = (g ? g[o] : 1) / Math.sqrt(vari[o] + eps);
          for (let i = 0; i < per; i++) conv.weight.values[o * per + i] *= s;
          conv.bias[o] = (conv.bias[o] - mean[o]) * s + (beta ? beta[o] : 0);
        }
        tensorOf.set(l.name, conv.output);
        continue;
      }
      case 'ReLU': {
        const conv = lastConv();
        const six = cfg.max_value === 6 && !cfg.negative_slope && !cfg.threshold;
        const plain = cfg.max_value == null && !cfg.negative_slope && !cfg.threshold;
        if (!conv || conv.output !== tensorOf.get(src) || conv.act !== 'none' || !(six || plain)) {
          throw new LookbookError('LB_ERR_BACKBONE', `cannot fuse ${l.name}`);
        }
        conv.act = six ? 'relu6' : 'relu';
        tensorOf.set(l.name, conv.output);
        continue;
      }
      case 'Add':
        if (ins.length !== 2) throw new LookbookError('LB_ERR_BACKBONE', `Add with ${ins.length} inputs`);
        ops.push({ kind: 'add', a: tensorOf.get(ins[0])!, b: tensorOf.get(ins[1])!, output: out });
        break;
      case 'AveragePooling2D':
      case 'GlobalAveragePooling2D':
        features = tensorOf.get(src)!;
        dim = [...ops].reverse().find((o): o is Extract<Op, { kind: 'conv' }> => o.kind === 'conv')!.weight.shape[0];
        break;
      default:
        throw new LookbookError('LB_ERR_BACKBONE', `unsupported Keras layer ${l.class_name} (${l.name})`);
    }
    if (features) break;
    tensorOf.set(l.name, out);
  }
  if (!features) throw new LookbookError('LB_ERR_BACKBONE', 'layers model has no pooling layer to stop at');
  return { ops, features, dim };
}

export interface ConvertedBackbone {
  /** Serialized ONNX model: input `input` NHWC [N,S,S,3] in [0,1] → output `embedding` [N,dim]. */
  onnx: Uint8Array;
  dim: number;
  /** Number of IR ops (affine, conv, add) written. */
  opCount: number;
}

/** Converts a TF.js graph or layers MobileNet-style model to an ONNX feature extractor. */
export function convertTfjsToOnnx(model: TfjsModel, opts: { inputSize: number; producer?: string }): ConvertedBackbone {
  const weights = decodeWeights(model);
  const isGraph = model.json.format === 'graph-model' || Array.isArray(model.json.modelTopology?.node);
  const ir = isGraph ? graphToIr(model, weights) : layersToIr(model, weights);
  if (!ir.dim) throw new LookbookError('LB_ERR_BACKBONE', 'could not determine the embedding dimension');
  return { onnx: irToOnnx(ir, opts.inputSize, opts.producer ?? 'lookbook-tfjs-to-onnx'), dim: ir.dim, opCount: ir.ops.length };
}
