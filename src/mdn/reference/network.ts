// Float64 reference of a whole MDN: forward, mean NLL, backward and optimiser steps, composed from each layer
// kind's and the head family's references so a whole GPU training step can be checked against it.
import { type MdnArchitecture, inputActivationOf, networkLayers, targetWidth } from '../architecture.js';
import { headLoss } from './heads.js';
import { type AdamSettings, adamUpdate } from './optimizer.js';

export interface LossAndGradient {
  /** Mean NLL over the batch. */
  readonly loss: number;
  /** Gradient of the mean NLL, one block per layer in parameter layout. */
  readonly grads: Float64Array[];
  /** Output of each layer (the last is the raw head). */
  readonly outputs: Float64Array[];
}

/**
 * Sequences in the rows: `steps` time steps of rows / steps sequences, time-major, and the mask of the valid
 * steps (1) and the padding after each sequence's end (0); the loss is the mean over the valid steps.
 */
export interface ReferenceSequences {
  readonly steps: number;
  readonly mask: ArrayLike<number>;
}

export function lossAndGradient(
  arch: MdnArchitecture,
  params: readonly Float64Array[],
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  sigmaPenalty = 0,
  sequences?: ReferenceSequences,
): LossAndGradient {
  const layers = networkLayers(arch);
  const steps = sequences?.steps ?? 1;
  const outputs: Float64Array[] = [];
  let input: ArrayLike<number> = x;
  for (const layer of layers) {
    input = layer.kind.reference.forward(layer, params[layer.index], input, rows, steps);
    outputs.push(input as Float64Array);
  }
  const head = headLoss(arch, outputs[outputs.length - 1], y, rows, sigmaPenalty);
  const weight = (r: number) => (sequences ? sequences.mask[r] : 1);
  const valid = sequences ? Array.from({ length: rows }, (_, r) => weight(r)).reduce((a, b) => a + b, 0) : rows;
  const loss = head.sampleNll.reduce((a, v, r) => a + (weight(r) > 0 ? v : 0), 0) / valid;
  const width = head.headGrad.length / rows;
  let outputGrad: Float64Array = head.headGrad.map((g, i) => (weight(Math.floor(i / width)) > 0 ? g / valid : 0));
  const grads: Float64Array[] = new Array(layers.length);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const { paramGrad, inputGrad } = layer.kind.reference.backward(layer, params[i], i === 0 ? x : outputs[i - 1], outputGrad, rows, inputActivationOf(layers, i) ?? 'identity', steps);
    grads[i] = paramGrad;
    outputGrad = inputGrad;
  }
  return { loss, grads, outputs };
}

export interface ReferenceTraining {
  /** The rows of step t (1-based); default the full batch. */
  readonly batchOf?: (t: number) => readonly number[];
  /** Scale the gradient down to this global L2 norm when it is longer. */
  readonly clipNorm?: number;
  readonly sigmaPenalty?: number;
  /** The rows are sequences (full batch only). */
  readonly sequences?: ReferenceSequences;
}

/** Runs `steps` Adam steps in place; returns the loss before each step. */
export function trainReference(
  arch: MdnArchitecture,
  params: Float64Array[],
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  steps: number,
  adam: AdamSettings,
  options: ReferenceTraining = {},
): number[] {
  const { batchOf, clipNorm, sigmaPenalty = 0, sequences } = options;
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const losses: number[] = [];
  const pick = (values: ArrayLike<number>, indices: readonly number[], cols: number) =>
    Float64Array.from({ length: indices.length * cols }, (_, j) => values[indices[Math.floor(j / cols)] * cols + (j % cols)]);
  for (let t = 1; t <= steps; t++) {
    const batch = batchOf?.(t);
    const { loss, grads } = batch
      ? lossAndGradient(arch, params, pick(x, batch, arch.inputDim), pick(y, batch, targetWidth(arch)), batch.length, sigmaPenalty)
      : lossAndGradient(arch, params, x, y, rows, sigmaPenalty, sequences);
    losses.push(loss);
    if (clipNorm !== undefined) {
      const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
      if (norm > clipNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= clipNorm / norm;
    }
    params.forEach((p, i) => adamUpdate(p, grads[i], m[i], v[i], t, adam));
  }
  return losses;
}
