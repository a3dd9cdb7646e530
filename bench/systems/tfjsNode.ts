// TensorFlow.js in the Node benchmark, as a Node user without tfjs-node loads it: the union package's Node build
// (gradients registered) and the wasm backend's, through require; the wasm and cpu backends, each a system.
import { createRequire } from 'node:module';
import type * as tfTypes from '@tensorflow/tfjs-core';
import type { BenchSystem } from './system.js';
import { tfjsSystem } from './tfjsModel.js';

export const NODE_TFJS_BACKENDS = ['wasm', 'cpu'] as const;

/** The tf namespace of Node's tfjs (the union package, gradients registered), with the wasm backend loaded. */
export function nodeTfjsNamespace(): typeof tfTypes {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs') as typeof tfTypes;
  require('@tensorflow/tfjs-backend-wasm');
  return tf;
}

export function nodeTfjsSystems(): BenchSystem[] {
  const tf = nodeTfjsNamespace();
  return NODE_TFJS_BACKENDS.map((backend) => tfjsSystem(tf, backend));
}
