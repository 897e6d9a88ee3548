/**
 * The converter's tiny IR (affine, conv, add) and its ONNX writer (onnx-proto):
 *   input `input` NHWC float [N,S,S,3] → Transpose → ops → GlobalAveragePool → Flatten → `embedding` [N,dim].
 * Opset 13; TF SAME padding = ONNX auto_pad SAME_UPPER; Relu6 = Clip(0, 6).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

export interface Weight {
  shape: number[];
  values: Float32Array;
}


export type Op =
  | { kind: 'affine'; input: string; output: string; mul: number; sub: number }
  | {
      kind: 'conv';
      input: string;
      output: string;
      /** OIHW */
      weight: Weight;
      bias: Float32Array;
      strides: [number, number];
      /** [top, left, bottom, right] or SAME (TF semantics = ONNX SAME_UPPER). */
      pads: [number, number, number, number] | 'SAME';
      group: number;
      act: 'none' | 'relu' | 'relu6';
    }
  | { kind: 'add'; a: string; b: string; output: string };

export interface Ir {
  ops: Op[];
  /** Name of the tensor that feeds the (global) pooling. */
  features: string;
  dim: number;
}


const FLOAT = onnx.TensorProto.DataType.FLOAT;
const A = onnx.AttributeProto.AttributeType;

function initializer(name: string, dims: number[], values: Float32Array): OnnxTypes.ITensorProto {
  const copy = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(copy.buffer) };
}

function node(opType: string, input: string[], output: string[], attrs: Record<string, number | number[] | string> = {}) {
  const attribute: OnnxTypes.IAttributeProto[] = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v)
      ? { name, type: A.INTS, ints: v }
      : typeof v === 'string'
        ? { name, type: A.STRING, s: new TextEncoder().encode(v) }
        : Number.isInteger(v)
          ? { name, type: A.INT, i: v }
          : { name, type: A.FLOAT, f: v },
  );
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute };
}

export function irToOnnx(ir: Ir, inputSize: number, producer: string): Uint8Array {
  const nodes: OnnxTypes.INodeProto[] = [node('Transpose', ['input'], ['x'], { perm: [0, 3, 1, 2] })];
  const inits: OnnxTypes.ITensorProto[] = [];
  for (const op of ir.ops) {
    if (op.kind === 'affine') {
      let cur = op.input;
      if (op.mul !== 1) {
        inits.push(initializer(`${op.output}_mul`, [], new Float32Array([op.mul])));
        nodes.push(node('Mul', [cur, `${op.output}_mul`], [op.sub !== 0 ? `${op.output}_m` : op.output]));
        cur = op.sub !== 0 ? `${op.output}_m` : op.output;
      }
      if (op.sub !== 0 || cur === op.input) {
        inits.push(initializer(`${op.output}_sub`, [], new Float32Array([op.sub])));
        nodes.push(node('Sub', [cur, `${op.output}_sub`], [op.output]));
      }
    } else if (op.kind === 'add') {
      nodes.push(node('Add', [op.a, op.b], [op.output]));
    } else {
      const [, , kh, kw] = op.weight.shape;
      inits.push(initializer(`${op.output}_w`, op.weight.shape, op.weight.values));
      inits.push(initializer(`${op.output}_b`, [op.bias.length], op.bias));
      const convOut = op.act === 'none' ? op.output : `${op.output}_c`;
      const attrs: Record<string, number | number[] | string> = { kernel_shape: [kh, kw], strides: op.strides, group: op.group };
      if (op.pads === 'SAME') attrs.auto_pad = 'SAME_UPPER';
      else attrs.pads = op.pads;
      nodes.push(node('Conv', [op.input, `${op.output}_w`, `${op.output}_b`], [convOut], attrs));
      if (op.act === 'relu') nodes.push(node('Relu', [convOut], [op.output]));
      if (op.act === 'relu6') {
        if (!inits.some((t) => t.name === 'zero')) {
          inits.push(initializer('zero', [], new Float32Array([0])), initializer('six', [], new Float32Array([6])));
        }
        nodes.push(node('Clip', [convOut, 'zero', 'six'], [op.output]));
      }
    }
  }
  nodes.push(node('GlobalAveragePool', [ir.features], ['pooled']));
  nodes.push(node('Flatten', ['pooled'], ['embedding'], { axis: 1 }));
  const valueInfo = (name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: producer,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'backbone',
      node: nodes,
      initializer: inits,
      input: [valueInfo('input', ['N', inputSize, inputSize, 3])],
      output: [valueInfo('embedding', ['N', ir.dim])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

