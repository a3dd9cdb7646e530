// The discrete side outputs as ONNX operators, from the raw head after the family's own outputs: their
// probabilities (Sigmoid of a Bernoulli logit, Softmax of a categorical one's), and the log-probability of
// observed classes (−softplus(∓z) for a Bernoulli class; LogSoftmax picked at the class for a categorical one),
// with the kernels' numerics (src/shaders/sideOutputs.wgsl.ts).
import type { MdnArchitecture } from '../architecture.js';
import { logitsOf, sideOutputsOf } from '../heads/sideOutputs.js';
import type { GraphBuilder } from './graph.js';
import { softplus } from './heads.js';

/** ONNX's TensorProto data type of int64 indices (GatherElements takes no floats). */
const INT64_TYPE = 7;

/** Each side output's logits, sliced from the head [rows, width] from column `offset`. */
function sideLogits(g: GraphBuilder, a: MdnArchitecture, head: string, offset: number): string[] {
  let column = offset;
  return sideOutputsOf(a).map((s, i) => {
    const C = logitsOf(s);
    const logits = g.op('Slice', [head, g.ints('start', [column]), g.ints('end', [column + C]), g.ints('axis', [1])], {}, `side${i}_logits`);
    column += C;
    return logits;
  });
}

/** Outputs `side{i}` per side output: [rows, 1] P(y = 1) of a Bernoulli output, [rows, C] class probabilities of a categorical one. */
export function sideProbabilityOutputs(g: GraphBuilder, a: MdnArchitecture, head: string, offset: number, rows: string): void {
  const sides = sideOutputsOf(a);
  sideLogits(g, a, head, offset).forEach((z, i) => {
    const C = logitsOf(sides[i]);
    g.output(C === 1 ? g.op('Sigmoid', [z]) : g.op('Softmax', [z], { axis: 1 }), `side${i}`, [rows, C]);
  });
}

/** Σ over side outputs of log p(class | x), [rows], the classes in columns D.. of `y` [rows, D + side outputs]. */
export function sideLogProbability(g: GraphBuilder, a: MdnArchitecture, head: string, offset: number, y: string): string {
  const sides = sideOutputsOf(a);
  const D = a.outputDim;
  const terms = sideLogits(g, a, head, offset).map((z, i) => {
    const observed = g.op('Slice', [y, g.ints('start', [D + i]), g.ints('end', [D + i + 1]), g.ints('axis', [1])], {}, `side${i}_class`);
    if (logitsOf(sides[i]) === 1) {
      // −log p(y) = softplus(z (1 − 2y)): softplus(−z) for y = 1, softplus(z) for y = 0.
      const sign = g.op('Sub', [g.scalar('one', 1), g.op('Mul', [observed, g.scalar('two', 2)])]);
      return g.op('Neg', [softplus(g, g.op('Mul', [z, sign]))]);
    }
    return g.op('GatherElements', [g.op('LogSoftmax', [z], { axis: 1 }), g.op('Cast', [observed], { to: INT64_TYPE })], { axis: 1 });
  });
  const sum = terms.reduce((acc, t) => g.op('Add', [acc, t]));
  return g.op('ReduceSum', [sum, g.ints('axes', [1])], { keepdims: 0 }, 'side_log_prob');
}
