import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnnxSession } from './onnx.ts';
import { convertTfjsToOnnx, loadNsfwjsModel } from '../embeddings/tfjs-to-onnx.ts';

test('in-process and worker-thread sessions give identical outputs; dispose is final', async () => {
  const model = convertTfjsToOnnx(loadNsfwjsModel('mobilenet_v2'), { inputSize: 96 }).onnx;
  const x = new Float32Array(2 * 96 * 96 * 3).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const outs = [];
  for (const worker of [false, true]) {
    const s = await OnnxSession.create(model, { threads: 1, worker });
    assert.deepEqual([...s.inputNames], ['input']);
    assert.deepEqual(s.outputs, [{ name: 'embedding', shape: ['N', 1280] }]);
    const r = await s.run({ input: { data: x, dims: [2, 96, 96, 3] } }, ['embedding']);
    assert.deepEqual([...r.embedding.dims], [2, 1280]);
    outs.push(r.embedding.data);
    // A wrong shape is a typed error, and the session still works afterwards.
    await assert.rejects(s.run({ input: { data: new Float32Array(5), dims: [1, 5] } }), { code: 'LB_ERR_BACKBONE' });
    await s.dispose();
    await assert.rejects(s.run({ input: { data: x, dims: [2, 96, 96, 3] } }), { code: 'LB_ERR_BACKBONE' });
  }
  assert.deepEqual(outs[0], outs[1]);
});

test('a file that is not an ONNX model is LB_ERR_BACKBONE; threads are validated', async () => {
  for (const worker of [false, true]) {
    await assert.rejects(OnnxSession.create(new Uint8Array([1, 2, 3]), { worker }), { code: 'LB_ERR_BACKBONE' });
  }
  await assert.rejects(OnnxSession.create('/nonexistent/model.onnx'), { code: 'LB_ERR_BACKBONE' });
  await assert.rejects(OnnxSession.create(new Uint8Array(1), { threads: 0 }), { code: 'LB_ERR_INVALID_ARGUMENT' });
});
