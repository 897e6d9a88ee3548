/**
 * The only module that imports TensorFlow.js. Training of small heads (style, compatibility,
 * ranking) runs on the wasm backend, which needs no download: its .wasm files ship in the npm package.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

let ready: Promise<typeof tf> | undefined;

/** Initialises tfjs on the wasm backend once and returns the tf namespace. */
export function getTf(): Promise<typeof tf> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(`${path.join(dir, 'dist')}/`);
    // Silence the "hi there, looks like you are running TensorFlow.js in Node.js" banner.
    const origWarn = console.warn;
    const origLog = console.log;
    console.warn = () => {};
    console.log = () => {};
    try {
      await tf.setBackend('wasm');
      await tf.ready();
    } finally {
      console.warn = origWarn;
      console.log = origLog;
    }
    return tf;
  })();
  return ready;
}

export type Tf = typeof tf;
