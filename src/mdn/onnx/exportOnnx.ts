// A saved model as an ONNX graph of standard operators (opset 17), for ONNX Runtime (Node, web, Python) and other
// engines: inputs x (and y), the model's scalers, the trunk layer by layer (./layers.ts), then the head family
// (./heads.ts): the mixture parameters in original units, or log p(y | x) in original units.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { checkOptionKeys } from '../arguments.js';
import { headOf, networkLayers, targetWidth } from '../architecture.js';
import { sideOutputsOf } from '../heads/sideOutputs.js';
import { sideLogProbability, sideProbabilityOutputs } from './sideOutputs.js';
import { decodeModel } from '../serialization.js';
import type { Scaler } from '../data/scaler.js';
import { GraphBuilder } from './graph.js';
import { ONNX_HEADS, headParts, learnedDegreesOfFreedom } from './heads.js';
import { ONNX_LAYERS } from './layers.js';

export interface OnnxExportOptions {
  /**
   * What the graph computes (default 'mixture'). 'mixture': input `x` [rows, inputDim]; outputs `pi` [rows, K],
   * `mu` and `sigma` [rows, K, D] (and for 'gaussian-full' `lower` [rows, K, D(D−1)/2], for learned Student-t
   * degrees of freedom `nu` [rows, K, D]), as `predict` returns
   * them, and per side output `side{i}` ([rows, 1] P(y = 1) of a Bernoulli output, [rows, C] of a categorical
   * one). 'logProb': inputs `x` and `y` [rows, outputDim + side outputs]; output `log_prob` [rows], as `logProb`
   * returns it.
   */
  readonly output?: 'mixture' | 'logProb';
}

const OPSET = 17;

/** The layer kinds and head families that export, for messages. */
export const ONNX_LAYER_KINDS = Object.keys(ONNX_LAYERS);
export const ONNX_FAMILIES = Object.keys(ONNX_HEADS);

// (pre(v) − shift) / scale per column, pre = log for a log-transforming scaler; returns [scaled, pre(v)].
function scaled(g: GraphBuilder, v: string, s: Scaler | undefined, label: string): [string, string] {
  if (!s) return [v, v];
  const pre = s.log ? g.op('Log', [v]) : v;
  return [g.op('Div', [g.op('Sub', [pre, g.floats(`${label}_shift`, s.shift)]), g.floats(`${label}_scale`, s.scale)], {}, `${label}_scaled`), pre];
}

/**
 * The ONNX model (bytes of an .onnx file) of a saved model. Every layer kind and head family mixden has today
 * exports (ONNX_LAYER_KINDS, ONNX_FAMILIES); one that does not is refused naming it.
 * @example
 * const onnx = exportOnnx(await model.save(), { output: 'logProb' });
 * const session = await ort.InferenceSession.create(onnx);
 */
export function exportOnnx(model: ArrayBuffer | Uint8Array, options: OnnxExportOptions = {}): Uint8Array {
  checkOptionKeys('exportOnnx options', options, ['output']);
  const output = options.output ?? 'mixture';
  if (output !== 'mixture' && output !== 'logProb') throw new InvalidArgumentError(`output must be 'mixture' or 'logProb', got ${JSON.stringify(output)}`);
  const { architecture: a, blocks, scaling } = decodeModel(model);
  const family = a.family ?? 'gaussian';
  const head = ONNX_HEADS[family];
  if (!head) throw new InvalidArgumentError(`family '${family}' does not export to ONNX yet; these do: ${ONNX_FAMILIES.join(', ')}`);
  const layers = networkLayers(a);
  for (const l of layers) {
    if (!ONNX_LAYERS[l.spec.kind]) throw new InvalidArgumentError(`layer ${l.index} is a ${l.spec.kind} layer, which does not export to ONNX yet; these do: ${ONNX_LAYER_KINDS.join(', ')}`);
  }
  const g = new GraphBuilder(OPSET);
  const rows = 'rows';
  let h = scaled(g, g.input('x', [rows, a.inputDim]), scaling?.x, 'x')[0];
  for (const l of layers) h = ONNX_LAYERS[l.spec.kind](g, l, blocks[l.index], h);
  const lowerPerComponent = headOf(a).extraMixtureValues?.(a.outputDim).length ?? 0;
  const parts = headParts(g, a, h, lowerPerComponent);
  const K = a.components;
  const D = a.outputDim;
  const sides = sideOutputsOf(a).length > 0;
  const ownWidth = headOf(a).headWidth(a);
  if (output === 'mixture') {
    const y = scaling?.y;
    const unscale = (v: string, factors: readonly number[] | undefined, shift: readonly number[] | undefined) =>
      factors ? (shift ? g.op('Add', [g.op('Mul', [v, g.floats('y_scale', factors)]), g.floats('y_shift', shift)]) : g.op('Mul', [v, g.floats('y_scale', factors)])) : v;
    g.output(g.op('Softmax', [parts.logits], { axis: 1 }), 'pi', [rows, K]);
    g.output(unscale(parts.mu, y?.scale, y?.shift), 'mu', [rows, K, D]);
    g.output(unscale(parts.sigma, y?.scale, undefined), 'sigma', [rows, K, D]);
    if (a.degreesOfFreedom === 'learned') g.output(learnedDegreesOfFreedom(g, parts.lower!), 'nu', [rows, K, D]);
    else if (parts.lower) {
      const rowsOf = headOf(a).extraMixtureValues!(D);
      g.output(unscale(parts.lower, y ? rowsOf.map((d) => (d === null ? 1 : y.scale[d])) : undefined, undefined), 'lower', [rows, K, lowerPerComponent]);
    }
    if (sides) sideProbabilityOutputs(g, a, h, ownWidth, rows);
  } else {
    const input = g.input('y', [rows, targetWidth(a)]);
    // The continuous targets; the side outputs' classes after them are scored on their own.
    const continuous = sides ? g.op('Slice', [input, g.ints('start', [0]), g.ints('end', [D]), g.ints('axis', [1])], {}, 'y_continuous') : input;
    const [yScaled, yPre] = scaled(g, continuous, scaling?.y, 'y');
    const joint = g.op('Add', [g.op('LogSoftmax', [parts.logits], { axis: 1 }), head.componentLogDensity(g, a, parts, yScaled)]);
    let logDensity = g.op('ReduceLogSumExp', [joint], { axes: [1], keepdims: 0 });
    // Back to original units: − Σ log scale, and − Σ log y for log-transformed targets.
    if (scaling) logDensity = g.op('Sub', [logDensity, g.scalar('log_scale', scaling.y.scale.reduce((s, v) => s + Math.log(v), 0))]);
    if (scaling?.y.log) logDensity = g.op('Sub', [logDensity, g.op('ReduceSum', [yPre, g.ints('axes', [1])], { keepdims: 0 })]);
    if (sides) logDensity = g.op('Add', [logDensity, sideLogProbability(g, a, h, ownWidth, input)]);
    g.output(logDensity, 'log_prob', [rows]);
  }
  // The description in the graph's metadata, for whoever opens the file.
  return g.finish('mixden', { 'mixden.output': output, 'mixden.architecture': JSON.stringify(a) });
}
