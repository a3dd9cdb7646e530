// TensorFlow.js in the benchmark page: the ESM packages, each backend a system (bench/systems/tfjsModel.ts).
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the @tensorflow/tfjs union package does this import.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BenchSystem } from './system.js';
import { tfjsSystem } from './tfjsModel.js';

export const TFJS_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Where the wasm backend loads its binaries from (a URL path). */
export const useWasmPaths = (prefix: string): void => setWasmPaths(prefix);

export const tfjsSystems: BenchSystem[] = TFJS_BACKENDS.map((backend) => tfjsSystem(tf, backend));
