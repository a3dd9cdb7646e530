// The recurrent layers' float64 reference (LSTM and GRU cells, back-propagation through time) against central
// differences (f64: ~1e-10 relative error, so 1e-6 leaves room and still catches any wrong term), and against
// hand-written single steps.
import { describe, expect, it } from 'vitest';
import { type RecurrentCell, type RecurrentShape, recurrentBackward, recurrentFinalState, recurrentForward } from '../../src/mdn/reference/recurrent.js';
import { Random } from '../../src/mdn/random.js';
import { gateCount, maxSequencesPerWorkgroup } from '../../src/shaders/recurrent.wgsl.js';
import { recurrentDesignFor, sequencesFor } from '../../src/mdn/layers/recurrent.js';
import { type RecurrentStepVariant, recurrentStep, recurrentStepVariant } from '../../src/shaders/recurrentStep.js';
import { stepLanes } from '../../src/shaders/recurrentBlocks.js';
import { kernelCode } from '../../src/runtime/kernel.js';
import { compareArrays } from '../support/compare.js';
import { exportWgsl } from '../../src/inference.js';
import { withLayers } from '../../src/mdn/architecture.js';
import { expectReportsPass } from '../support/expectClose.js';
import { centralDifference } from './fd.js';

const FD = { atol: 1e-6, rtol: 1e-6 };
const CELLS: RecurrentCell[] = ['lstm', 'gru'];

function problem(cell: RecurrentCell, steps: number, batch: number, inputs = 3, units = 4, seed = 3) {
  const random = new Random(seed);
  const width = gateCount(cell) * units;
  // An odd gap between the blocks, as the layer pads its input block to an aligned length.
  const recurrentOffset = (inputs + 1) * width + 5;
  const count = recurrentOffset + (units + 1) * width;
  const params = random.fill(count, (r) => 0.6 * r.normal());
  params.fill(0, (inputs + 1) * width, recurrentOffset);
  const x = random.fill(steps * batch * inputs, (r) => r.normal());
  const weights = random.fill(steps * batch * units, (r) => r.normal());
  const shape: RecurrentShape = { cell, steps, batch, inputs, units, recurrentOffset };
  return { shape, params, x, weights, count };
}

describe('recurrent layer reference', () => {
  it.each(CELLS)('%s: back-propagation through time matches finite differences of Σ w ⊙ h over every step', (cell) => {
    const { shape, params, x, weights, count } = problem(cell, 4, 2);
    const loss = () => recurrentForward(x, params, shape).reduce((a, h, i) => a + h * weights[i], 0);
    const { paramGrad, inputGrad } = recurrentBackward(x, params, weights, shape, count);
    expectReportsPass([
      compareArrays(`${cell} parameters`, paramGrad, centralDifference(params, loss), FD),
      compareArrays(`${cell} inputs`, inputGrad, centralDifference(x, loss), FD),
    ]);
  });

  it.each(CELLS)('%s: the input gradient carries the previous layer\'s activation derivative', (cell) => {
    const { shape, params, x, weights, count } = problem(cell, 3, 2);
    const pre = x.slice();
    const act = (v: number) => Math.tanh(v);
    const loss = () => recurrentForward(pre.map(act), params, shape).reduce((a, h, i) => a + h * weights[i], 0);
    const { inputGrad } = recurrentBackward(pre.map(act), params, weights, shape, count, 'tanh');
    expectReportsPass([compareArrays(`${cell} pre-activation`, inputGrad, centralDifference(pre, loss), FD)]);
  });

  it('one LSTM step from a zero state is o·tanh(i·g) of the two biases and x·W_ih', () => {
    const { shape, params, x } = problem('lstm', 1, 2, 3, 2);
    const h = recurrentForward(x, params, shape);
    const width = 8;
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 2; j++) {
        const pre = (m: number) => params[3 * width + m] + params[shape.recurrentOffset + 2 * width + m] + [0, 1, 2].reduce((a, i) => a + x[b * 3 + i] * params[i * width + m], 0);
        const expected = s(pre(6 + j)) * Math.tanh(s(pre(j)) * Math.tanh(pre(4 + j)));
        expect(h[b * 2 + j]).toBeCloseTo(expected, 14);
      }
    }
  });

  it('one GRU step from a zero state is (1 − z)·n with n = tanh(x_n + r·b_hn)', () => {
    const { shape, params, x } = problem('gru', 1, 1, 2, 1);
    const width = 3;
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const xPart = (m: number) => params[2 * width + m] + x[0] * params[m] + x[1] * params[width + m];
    const hPart = (m: number) => params[shape.recurrentOffset + width + m];
    const r = s(xPart(0) + hPart(0));
    const z = s(xPart(1) + hPart(1));
    const n = Math.tanh(xPart(2) + r * hPart(2));
    expect(recurrentForward(x, params, shape)[0]).toBeCloseTo((1 - z) * n, 14);
  });

  it.each(CELLS)('%s: a padded sequence with zero gradient after its end has the gradients of the short sequence alone', (cell) => {
    const long = problem(cell, 5, 1);
    const short = { ...long.shape, steps: 2 };
    const weights = long.weights.map((w, i) => (i < 2 * 4 ? w : 0));
    const padded = recurrentBackward(long.x, long.params, weights, long.shape, long.count);
    const alone = recurrentBackward(long.x.slice(0, 2 * 3), long.params, weights.slice(0, 2 * 4), short, long.count);
    expectReportsPass([
      compareArrays(`${cell} parameters`, padded.paramGrad, alone.paramGrad, { atol: 1e-15, rtol: 1e-13 }),
      compareArrays(`${cell} valid inputs`, padded.inputGrad.slice(0, 6), alone.inputGrad, { atol: 1e-15, rtol: 1e-13 }),
    ]);
    expect(Math.max(...padded.inputGrad.slice(6).map(Math.abs))).toBe(0);
  });
});

describe('recurrent layer reference from a carried state (stateful windows)', () => {
  const carried = (cell: RecurrentCell, batch: number, units = 4, seed = 11) => {
    const random = new Random(seed);
    return { h: random.fill(batch * units, (r) => 0.8 * r.uniform() - 0.4), ...(cell === 'lstm' ? { c: random.fill(batch * units, (r) => 2 * r.normal()) } : {}) };
  };

  it.each(CELLS)('%s: back-propagation through time from a given state matches finite differences (the state held constant)', (cell) => {
    const { shape, params, x, weights, count } = problem(cell, 3, 2);
    const initial = carried(cell, 2);
    const loss = () => recurrentForward(x, params, shape, initial).reduce((a, h, i) => a + h * weights[i], 0);
    const { paramGrad, inputGrad } = recurrentBackward(x, params, weights, shape, count, 'identity', initial);
    expectReportsPass([
      compareArrays(`${cell} parameters`, paramGrad, centralDifference(params, loss), FD),
      compareArrays(`${cell} inputs`, inputGrad, centralDifference(x, loss), FD),
    ]);
    // The state enters the gradient: from zero it differs.
    expect(compareArrays('zero state', recurrentBackward(x, params, weights, shape, count).paramGrad, paramGrad, FD).failures).toBeGreaterThan(0);
  });

  it.each(CELLS)('%s: two windows, the second started from the state the first left, are the sequence walked whole', (cell) => {
    const { shape, params, x } = problem(cell, 6, 2);
    const whole = recurrentForward(x, params, shape);
    const half = { ...shape, steps: 3 };
    const split = 3 * 2 * shape.inputs;
    const first = recurrentForward(x.slice(0, split), params, half);
    const second = recurrentForward(x.slice(split), params, half, recurrentFinalState(x.slice(0, split), params, half));
    expectReportsPass([compareArrays(`${cell} h of both windows`, [...first, ...second], whole, { atol: 1e-15, rtol: 1e-13 })]);
  });
});

describe('recurrent walks per adapter class', () => {
  it('walk as many sequences per workgroup as the state allows: 8 in lavapipe’s forward walk, 4 elsewhere, 1 on GPUs', () => {
    expect(sequencesFor('lavapipe', 128)).toBe(8);
    expect(sequencesFor('lavapipe', 128, 'backward')).toBe(4);
    expect(sequencesFor('lavapipe', 300)).toBe(4); // 8 × 300 floats would not fit the state
    expect(sequencesFor('swiftshader', 128)).toBe(4);
    expect(sequencesFor('swiftshader', 1024)).toBe(2);
    expect(sequencesFor('gpu', 128)).toBe(1);
    expect(maxSequencesPerWorkgroup(2048, 8)).toBe(1);
  });
});

describe("generation's continued steps per adapter class", () => {
  it('fuse both products and the gates on the software adapters, any units; GPUs keep the products', () => {
    expect(recurrentDesignFor('lavapipe', true)).toBe('fusedStep');
    expect(recurrentDesignFor('swiftshader', true)).toBe('fusedStep');
    expect(recurrentDesignFor(undefined, true)).toBe('fusedStep');
    expect(recurrentDesignFor('gpu', true)).toBe('products');
  });

  it('walk training and scoring in blocked steps on the software adapters where the units divide by 4', () => {
    expect(recurrentDesignFor('lavapipe', false, 128)).toBe('blockedSteps');
    expect(recurrentDesignFor('swiftshader', false, 12)).toBe('blockedSteps');
    expect(recurrentDesignFor('swiftshader', false, 70)).toBe('looped');
    expect(recurrentDesignFor('gpu', false, 128)).toBe('looped');
    expect(recurrentDesignFor(undefined, false, 128)).toBe('looped');
  });

  it("pick lavapipe's one unit a lane in 32 rows through subgroups, SwiftShader's vec4 lanes of 8, register blocks without subgroups", () => {
    expect(recurrentStepVariant('lstm', 128, 'lavapipe', 8)).toEqual({ cell: 'lstm', rows: 32, lane: 1, subgroupSize: 8, lanes: 64 });
    expect(recurrentStepVariant('gru', 128, 'swiftshader', 4)).toEqual({ cell: 'gru', rows: 8, subgroupSize: 4, lanes: 32 });
    expect(recurrentStepVariant('lstm', 128, 'swiftshader')).toEqual({ cell: 'lstm', rows: 8 });
    expect(recurrentStepVariant('lstm', 30, 'swiftshader')).toEqual({ cell: 'lstm', rows: 16, lane: 1 });
    // Subgroups whose size does not divide the rows are not used.
    expect(recurrentStepVariant('lstm', 128, 'swiftshader', 16)).toEqual({ cell: 'lstm', rows: 8 });
    expect(stepLanes(12, 8)).toBe(8);
    expect(stepLanes(1024, 8, 1)).toBe(64);
  });

  it('refuse vec4 lanes over units that do not divide by 4, and subgroups that do not divide the rows', () => {
    const plan = (units: number, variant: RecurrentStepVariant) => recurrentStep.plan({ rows: 16, inputs: 3, units, recurrentOffset: 64, step: 0 }, variant);
    expect(() => plan(30, { cell: 'lstm', rows: 8 })).toThrow(/units divisible by 4/);
    expect(() => plan(32, { cell: 'lstm', rows: 8, subgroupSize: 16, lanes: 16 })).toThrow(/multiples of the subgroup size/);
    expect(plan(32, { cell: 'lstm', rows: 8 }).workgroups).toEqual([1, 1, 1]); // 2 row blocks x 8 lanes of units
    expect(plan(30, { cell: 'gru', rows: 32, lane: 1, subgroupSize: 8, lanes: 32 }).workgroups).toEqual([1, 1, 1]);
  });

  it('have resolved, consistent WGSL in every variant', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      for (const variant of [{ rows: 8 }, { rows: 16, lane: 1 }, { rows: 8, subgroupSize: 4, lanes: 32 }, { rows: 32, lane: 1, subgroupSize: 8, lanes: 64 }] as const) {
        const code = kernelCode(recurrentStep, { cell, ...variant });
        expect(code).not.toMatch(/#if|#else|#endif|undefined|NaN/);
        for (const name of ['input', 'previousOutput', 'weights', 'output', ...(cell === 'lstm' ? ['cells'] : [])]) expect(code.split(name).length - 1).toBeGreaterThan(1);
      }
    }
  });
});

describe('exportWgsl of recurrent layers', () => {
  const rows = withLayers({ inputDim: 3, outputDim: 1, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 }, [{ kind: 'gru', units: 4 }]);

  it('describes the scratch buffers and the recurrent block that a model of rows binds', () => {
    const [product, walk] = exportWgsl(rows);
    expect(product.label).toBe('layer0 3 -> 4 gru (1 of 2)');
    expect(Object.fromEntries(walk.bindings.filter((b) => b.bindTo).map((b) => [b.name, b.bindTo]))).toEqual({
      gates: { kind: 'scratch', index: 0, floatsPerRow: 12 },
      recurrent: { kind: 'weights', offsetFloats: 64 },
      cells: { kind: 'scratch', index: 1, floatsPerRow: 4 },
      output: { kind: 'output' },
    });
    expect(walk.layer).toBe(0);
  });

  it('refuses a sequence model and names what embeds one', () => {
    expect(() => exportWgsl({ ...rows, sequence: { conditionDim: 0 } })).toThrow(/sequence model: embed its generation with loadSequenceGenerator/);
  });
});
