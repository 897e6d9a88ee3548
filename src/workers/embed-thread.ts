/**
 * Worker-thread side of EmbedPool: its own Embedder (own ONNX session), decoding + inference + attributes
 * for the chunks it is sent. Messages: init → ready | error; embed {id, jobs} → done {id, results}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { extractAttributes } from '../attributes/index.ts';
import { Embedder, embedMany, type EmbedderOptions } from '../embeddings/embedder.ts';
import { reasonOf } from '../errors.ts';
import type { ImageAttributes } from '../types.ts';

export interface ThreadInit {
  embedder: EmbedderOptions;
  maxPixels?: number;
  maxBytes?: number;
  decodeConcurrency?: number;
}
export type ThreadResult = { key: string; vector: Float32Array; attributes: ImageAttributes } | { key: string; error: string };

const init = workerData as ThreadInit;
const port = parentPort!;
const ready = Embedder.create(init.embedder);
ready.then(
  (e) => port.postMessage({ type: 'ready', dim: e.info.dim }),
  (err) => port.postMessage({ type: 'error', error: reasonOf(err) }),
);

port.on('message', async (m: { type: 'embed'; id: number; jobs: { key: string; source: string }[] } | { type: 'close' }) => {
  if (m.type === 'close') {
    await (await ready.catch(() => undefined))?.dispose();
    port.close();
    return;
  }
  const results: ThreadResult[] = [];
  try {
    const embedder = await ready;
    for await (const r of embedMany(embedder, m.jobs, { maxPixels: init.maxPixels, maxBytes: init.maxBytes, decodeConcurrency: init.decodeConcurrency })) {
      if ('error' in r) results.push({ key: r.key, error: reasonOf(r.error) });
      else if (r.vector) results.push({ key: r.key, vector: r.vector, attributes: extractAttributes(r.prepared.raster) });
    }
    port.postMessage({ type: 'done', id: m.id, results }, results.flatMap((r) => ('vector' in r ? [r.vector.buffer as ArrayBuffer] : [])));
  } catch (e) {
    port.postMessage({ type: 'done', id: m.id, error: reasonOf(e) });
  }
});
