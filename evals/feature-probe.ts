/**
 * Which features of the backbone work best for a catalogue? Extracts several poolings and layers of
 * MobileNetV2-1.4 for every item of an ingested catalogue in one pass, then evaluates a combination
 * (blocks L2-normalised, concatenated) with the same protocols as evals/style.ts. Selection should
 * read the VAL figures (validation carved from the training part); TEST is the held-out split.
 *   node --import tsx evals/feature-probe.ts extract [--data-dir .cache/eval/fashion-small]
 *   node --import tsx evals/feature-probe.ts style --blocks embedding,t61avg1344,t49avg816 [--aux articleType]
 *   node --import tsx evals/feature-probe.ts space --blocks embedding,gem1792 [--hidden 0]
 *   node --import tsx evals/feature-probe.ts raw   --blocks gem1792   (leave-one-out P@10 articleType, 4,000 validation items)
 * Blocks (graph tensors of the converted model, 224×224 input): embedding = average-pooled final
 * 7×7×1792 map (the product's feature); max1792 / gem1792 (p=3) = other poolings of it; grid7168 =
 * 2×2 average pooling of it; t62avg448 = block-16 projection; t61avg1344 = block-16 depthwise;
 * t49avg816 = block-13 expansion (14×14); t46avg816 = block-12 depthwise. Written to .cache/probe/taps.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { irToOnnx } from '../src/embeddings/onnx-writer.ts';
import { decodeWeights, graphToIr, loadNsfwjsModel } from '../src/embeddings/tfjs-to-onnx.ts';
import { evaluateLearnedSpace } from '../src/eval/similarity-learned.ts';
import { evaluateStyle } from '../src/eval/style.ts';
import { Lookbook } from '../src/lookbook.ts';
import { loadFeatureSet, type FeatureSet } from '../src/models/classifier/dataset.ts';
import { labelOf } from '../src/models/classifier/labels.ts';
import { gatherRows, stratifiedSplit } from '../src/models/classifier/random.ts';
import { retrievalAtK } from '../src/models/metric-space/retrieval.ts';
import { normalizeRows } from '../src/index/vector-index.ts';
import { prepareImage } from '../src/processors/image.ts';
import { REPO_ROOT, evalCacheDir } from '../src/testing/datasets.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: string) => (args.indexOf(n) >= 0 && args[args.indexOf(n) + 1] ? args[args.indexOf(n) + 1]! : d);
const mode = args[0] ?? 'raw';
const dataDir = path.resolve(REPO_ROOT, opt('--data-dir', evalCacheDir('eval', 'fashion-small')));
const TAPS = evalCacheDir('probe', 'taps');
const DIMS: Record<string, number> = { embedding: 1792, max1792: 1792, gem1792: 1792, grid7168: 7168, t62avg448: 448, t61avg1344: 1344, t49avg816: 816, t46avg816: 816 };

async function extract(set: FeatureSet): Promise<void> {
  const { onnx } = onnxProto;
  const model = loadNsfwjsModel('mobilenet_v2_mid');
  const m = onnx.ModelProto.decode(irToOnnx(graphToIr(model, decodeWeights(model)), 224, 'feature-probe'));
  const g = m.graph!;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INTS = onnx.AttributeProto.AttributeType.INTS;
  const add = (op: string, i: string[], o: string, attribute: object[] = []) => g.node!.push({ opType: op, input: i, output: [o], name: `p_${o}`, attribute });
  const out = (src: string, name: string) => {
    add('Flatten', [src], name, [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
    g.output!.push({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: DIMS[name]! }] } } } });
  };
  const scalar = (name: string, v: number) => g.initializer!.push({ name, dims: [], dataType: FLOAT, rawData: new Uint8Array(new Float32Array([v]).buffer) });
  scalar('three', 3);
  scalar('third', 1 / 3);
  add('GlobalMaxPool', ['t63'], 'mx');
  out('mx', 'max1792');
  add('Pow', ['t63', 'three'], 'p3');
  add('GlobalAveragePool', ['p3'], 'p3a');
  add('Pow', ['p3a', 'third'], 'gm');
  out('gm', 'gem1792');
  add('AveragePool', ['t63'], 'grid', [{ name: 'kernel_shape', type: INTS, ints: [4, 4] }, { name: 'strides', type: INTS, ints: [3, 3] }]);
  out('grid', 'grid7168');
  for (const t of ['t62avg448', 't61avg1344', 't49avg816', 't46avg816']) {
    add('GlobalAveragePool', [t.split('avg')[0]!], `${t}_p`);
    out(`${t}_p`, t);
  }
  const sess = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish(), { intraOpNumThreads: 2 });
  fs.mkdirSync(TAPS, { recursive: true });
  fs.writeFileSync(path.join(TAPS, 'ids.json'), JSON.stringify(set.ids));
  const files = Object.fromEntries(Object.keys(DIMS).map((n) => [n, fs.openSync(path.join(TAPS, `${n}.f32`), 'w')]));
  const B = 32;
  const S = 224;
  const prep = (s: number) => Promise.all(set.items.slice(s, s + B).map((it) => prepareImage(it.imagePath!, { inputSize: S }).then((r) => r.input.data)));
  let next = prep(0);
  for (let s = 0; s < set.items.length; s += B) {
    const imgs = await next;
    if (s + B < set.items.length) next = prep(s + B);
    const x = new Float32Array(imgs.length * S * S * 3);
    imgs.forEach((img, n) => x.set(Float32Array.from(img, (v) => v / 255), n * S * S * 3));
    const r = await sess.run({ input: new ort.Tensor('float32', x, [imgs.length, S, S, 3]) });
    for (const n of Object.keys(DIMS)) fs.writeSync(files[n]!, new Uint8Array((r[n]!.data as Float32Array).buffer));
    if ((s / B) % 50 === 0) console.error(`${s + imgs.length}/${set.items.length}`);
  }
  for (const f of Object.values(files)) fs.closeSync(f);
}

/** The feature set with its vectors replaced by the combination of blocks ("a,b:0.5" = weights). */
function combine(set: FeatureSet, spec: string): FeatureSet {
  const ids: string[] = JSON.parse(fs.readFileSync(path.join(TAPS, 'ids.json'), 'utf8'));
  if (ids.length !== set.ids.length || ids.some((id, i) => id !== set.ids[i])) throw new Error('taps are out of date: run extract again');
  const n = ids.length;
  const parts = spec.split(',').map((p) => ({ name: p.split(':')[0]!, w: Number(p.split(':')[1] ?? 1) }));
  const dim = parts.reduce((s, p) => s + DIMS[p.name]!, 0);
  const total = Math.sqrt(parts.reduce((t, q) => t + q.w * q.w, 0)); // unit-norm blocks × weights → unit-norm rows
  const out = new Float32Array(n * dim);
  let off = 0;
  for (const p of parts) {
    const d = DIMS[p.name]!;
    const buf = fs.readFileSync(path.join(TAPS, `${p.name}.f32`));
    const a = normalizeRows(new Float32Array(buf.buffer, buf.byteOffset, n * d), d);
    const f = p.w / total;
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) out[i * dim + off + k] = a[i * d + k]! * f;
    off += d;
  }
  return { ...set, dim, vectors: out };
}

const lb = await Lookbook.open({ dataDir, ignoreEnv: true, logLevel: 'error' });
try {
  const base = await loadFeatureSet(lb.ctx.store, lb.ctx.backboneName);
  if (mode === 'extract') {
    await extract(base);
  } else {
    const blocks = opt('--blocks', 'embedding');
    const set = combine(base, blocks);
    const tag = `${mode} ${blocks} (${set.dim}-d)`;
    if (mode === 'style') {
      const aux = args.includes('--aux') ? opt('--aux', 'articleType') : undefined;
      const r = await evaluateStyle(lb.ctx, { label: opt('--label', 'usage'), features: set, noColourBaseline: true, head: { auxColumn: aux } });
      const m = r.models.at(-1)!;
      const ex = m.extra as Record<string, number>;
      console.log(`${tag}${aux ? ` aux ${aux}` : ''}: VAL macro-F1 ${ex.valMacroF1!.toFixed(3)} loss ${ex.valLoss!.toFixed(4)} | TEST accuracy ${m.report.accuracy.toFixed(3)} macro-F1 (≥100) ${m.report.macroF1Frequent.toFixed(3)} | ${m.report.perClass.map((p) => `${p.label} ${p.f1.toFixed(3)}`).join(', ')}`);
    } else if (mode === 'space') {
      const r = await evaluateLearnedSpace(lb.ctx, { column: 'articleType', secondaryColumn: 'baseColour', hidden: Number(opt('--hidden', '0')), features: set });
      console.log(`${tag}: VAL P@10 ${Number(r.metrics.valPrecisionAt10).toFixed(3)} | TEST ${r.rows.map((x) => `${x.column} raw ${x.raw.precisionAtK.toFixed(3)} learned ${x.learned.precisionAtK.toFixed(3)}`).join('; ')}`);
    } else {
      const codes = new Map<string, number>();
      const y = Int32Array.from(set.items, (it) => { const v = labelOf(it, 'articleType'); return v === undefined ? -1 : (codes.get(v) ?? codes.set(v, codes.size).get(v)!); });
      const { train } = stratifiedSplit(y, 0.2, 42);
      const { test: val } = stratifiedSplit(Int32Array.from(train, (r) => y[r]!), 0.25, 7);
      const rows = val.map((i) => train[i]!).slice(0, 4000);
      const r = await retrievalAtK(gatherRows(set.vectors, set.dim, rows), set.dim, Int32Array.from(rows, (i) => y[i]!), 10);
      console.log(`${tag}: VAL raw P@10 articleType ${r.precisionAtK.toFixed(3)} (${rows.length} validation items from the training part)`);
    }
  }
} finally {
  await lb.close();
}
