// Sequences as the trainer packs them (windows, padding, masks, autoregressive inputs), and bad sequences
// refused naming the sequence, step and column; a sequence model's description and file, without a GPU.
import { describe, expect, it } from 'vitest';
import { packSequences, timeMajor, MAX_SEQUENCE_STEPS } from '../../src/mdn/sequence/sequenceData.js';
import { type MdnArchitecture, validateArchitecture, withLayers } from '../../src/mdn/architecture.js';
import { decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { initialParameters } from '../../src/mdn/init.js';
import { loadMdn } from '../../src/mdn/createMdn.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';

// (dx, dy, pen) per step and a 2-value condition: inputs are 3 + 2 wide.
const arch: MdnArchitecture = withLayers(
  { inputDim: 5, outputDim: 2, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, sideOutputs: [{ kind: 'bernoulli' }], sequence: { conditionDim: 2 } },
  [{ kind: 'lstm', units: 4 }],
);

describe('packing sequences', () => {
  const sequences = [
    { y: [1, 2, 0, 3, 4, 1, 5, 6, 0], condition: [7, 8] },
    { y: [9, 10, 1], condition: [11, 12] },
  ];

  it('feeds each step the previous step and the condition, pads windows and masks the padding', () => {
    const packed = packSequences(arch, sequences);
    expect([packed.pieces, packed.steps, packed.validSteps]).toEqual([2, 3, 4]);
    expect(Array.from(packed.x)).toEqual([0, 0, 0, 7, 8, 1, 2, 0, 7, 8, 3, 4, 1, 7, 8, 0, 0, 0, 11, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(packed.mask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Array.from(packed.y.subarray(9))).toEqual([9, 10, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('cuts sequences into windows whose first input is still the true previous step', () => {
    const packed = packSequences(arch, sequences, 2);
    expect([packed.pieces, packed.steps]).toEqual([3, 2]);
    // The second window of the first sequence starts at its step 2, fed step 1's values.
    expect(Array.from(packed.x.subarray(2 * 5, 3 * 5))).toEqual([3, 4, 1, 7, 8]);
    expect(Array.from(packed.mask)).toEqual([1, 1, 1, 0, 1, 0]);
  });

  it('lays a batch out time-major, padding extra windows', () => {
    const packed = packSequences(arch, sequences);
    const batch = timeMajor(packed, 0, 2, 5, 3, 3);
    expect(Array.from(batch.mask)).toEqual([1, 1, 0, 1, 0, 0, 1, 0, 0]);
    expect(Array.from(batch.y.subarray(3, 6))).toEqual([9, 10, 1]);
  });

  it.each([
    [[], /must be a non-empty list of sequences/],
    [[{ y: [1, 2] }], /sequences\[0\]\.y must hold whole rows of 3 values/],
    [[{ y: [1, 2, 0], condition: [1, 2] }, { y: [1, NaN, 0], condition: [1, 2] }], /sequences\[1\]\.y has a non-finite value \(NaN\) at step 0, column 1/],
    [[{ y: [1, 2, 0.5], condition: [1, 2] }], /sequences\[0\]\.y row 0, column 2 \(side output 0, bernoulli\) must be 0 or 1, got 0.5/],
    [[{ y: [1, 2, 0], condition: [1] }], /sequences\[0\]\.condition must hold 2 values/],
    [[{ y: [1, 2, 0], condition: [1, Infinity] }], /sequences\[0\]\.condition has a non-finite value/],
    [[{ y: new Array(3 * (MAX_SEQUENCE_STEPS + 1)).fill(0), condition: [1, 2] }], /has 10001 steps; the limit is 10000/],
  ])('refuses %#, naming the sequence', (bad, message) => {
    expect(() => packSequences(arch, bad as never)).toThrow(InvalidArgumentError);
    expect(() => packSequences(arch, bad as never)).toThrow(message);
  });
});

describe('a sequence model description', () => {
  it('needs inputDim = step width + conditionDim, and a file keeps it', () => {
    expect(() => validateArchitecture({ ...arch, inputDim: 4 })).toThrow(/a sequence model's inputDim is its target width \(3\) plus conditionDim \(2\), got 4/);
    expect(() => validateArchitecture({ ...arch, sequence: { conditionDim: -1 } })).toThrow(/sequence.conditionDim must be an integer >= 0/);
    const bytes = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture.sequence).toEqual({ conditionDim: 2 });
  });

  it('loadMdn refuses a sequence model, pointing at loadSequenceMdn', async () => {
    const bytes = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)));
    await expect(loadMdn(bytes)).rejects.toThrow(/this is a sequence model: open it with loadSequenceMdn/);
  });
});
