import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTf } from '../backends/tf.ts';
import { OnnxSession } from '../backends/onnx.ts';
import { convertTfjsToOnnx, decodeWeights, loadNsfwjsModel, type TfjsModel } from './tfjs-to-onnx.ts';

const S = 224;

/** Deterministic test inputs: uniform noise, a smooth colour gradient with a block, mid-grey. */
function inputs(n: number): Float32Array {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * S * S * 3);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < S; y++)
      for (let xx = 0; xx < S; xx++)
        for (let c = 0; c < 3; c++) {
          const i = ((b * S + y) * S + xx) * 3 + c;
          if (b % 3 === 0) x[i] = rnd();
          else if (b % 3 === 1) x[i] = xx > 60 && xx < 160 && y > 40 && y < 200 ? 0.1 * c : (y / S + c * xx / S) / 2;
          else x[i] = 0.5;
        }
  return x;
}

async function tfjsFeatures(model: TfjsModel, x: Float32Array, n: number): Promise<Float32Array> {
  const tf = await getTf();
  const weightSpecs = model.json.weightsManifest.flatMap((g) => g.weights) as any;
  const weightData = model.weightData.slice().buffer;
  const input = tf.tensor4d(x, [n, S, S, 3]);
  try {
    if (model.json.format === 'graph-model') {
      const g = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: model.json.modelTopology, weightSpecs, weightData, format: 'graph-model' }));
      const node = (model.json.modelTopology.node as any[]).find((nd) => nd.name.endsWith('feature_vector/SpatialSqueeze'));
      const out = g.execute(input, node.name) as any;
      const data = (await out.data()) as Float32Array;
      out.dispose();
      g.dispose();
      return data;
    }
    const m = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: model.json.modelTopology, weightSpecs, weightData }));
    const layers = m.layers;
    const poolIdx = layers.findIndex((l: any) => l.getClassName() === 'AveragePooling2D');
    const sub = tf.model({ inputs: m.inputs, outputs: layers[poolIdx - 1].output as any });
    const fm = sub.predict(input) as any;
    const pooled = fm.mean([1, 2]);
    const data = (await pooled.data()) as Float32Array;
    tf.dispose([fm, pooled]);
    m.dispose();
    return data;
  } finally {
    input.dispose();
  }
}

for (const [name, dim] of [['mobilenet_v2_mid', 1792], ['mobilenet_v2', 1280]] as const) {
  test(`${name}: the ONNX conversion matches TF.js on the wasm backend`, async () => {
    const model = loadNsfwjsModel(name);
    const conv = convertTfjsToOnnx(model, { inputSize: S });
    assert.equal(conv.dim, dim);
    const n = 3;
    const x = inputs(n);
    const session = await OnnxSession.create(conv.onnx, { threads: 2 });
    try {
      const out = (await session.run({ input: { data: x, dims: [n, S, S, 3] } })).embedding;
      assert.deepEqual([...out.dims], [n, dim]);
      const ref = await tfjsFeatures(model, x, n);
      assert.equal(ref.length, out.data.length);
      let maxDiff = 0;
      let maxRef = 0;
      for (let i = 0; i < ref.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ref[i] - out.data[i]));
        maxRef = Math.max(maxRef, Math.abs(ref[i]));
      }
      console.log(`# ${name}: max |onnx - tfjs| = ${maxDiff.toExponential(2)} (max |feature| ${maxRef.toFixed(2)})`);
      assert.ok(maxRef > 0.1, 'features are not all ~0');
      assert.ok(maxDiff < 1e-4, `max abs diff ${maxDiff}`);
      // Different images give different features.
      let d01 = 0;
      for (let i = 0; i < dim; i++) d01 += Math.abs(out.data[i] - out.data[dim + i]);
      assert.ok(d01 > 1);
    } finally {
      await session.dispose();
    }
  });
}

test('decodeWeights dequantizes uint8 weights as min + scale*q and checks the byte count', () => {
  const model: TfjsModel = {
    json: {
      modelTopology: {},
      weightsManifest: [{ paths: [], weights: [{ name: 'w', shape: [2, 2], dtype: 'float32', quantization: { min: -1, scale: 0.5, dtype: 'uint8' } }] }],
    },
    weightData: new Uint8Array([0, 1, 2, 4]),
  };
  assert.deepEqual([...decodeWeights(model).get('w')!.values], [-1, -0.5, 0, 1]);
  assert.throws(() => decodeWeights({ ...model, weightData: new Uint8Array(5) }), { code: 'LB_ERR_BACKBONE' });
});
