// Files of earlier releases load and predict bit for bit (test/fixtures/, made by release 0.1.0 on SwiftShader),
// and files of the PyTorch twin give PyTorch's values (test/fixtures/pytorch/).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('model files of release 0.1.0', () => {
  it('load and give the same predict, logProb and seeded sample bits, and save again as safetensors with the same weights, bit for bit', async () => {
    // Mismatching elements per output (-1: a different length).
    expect(await page().run('release010ModelFile')).toEqual({ pi: 0, mu: 0, sigma: 0, logProb: 0, samples: 0, resaved: true });
  });
});

describe('model files written by the PyTorch twin (interop/pytorch)', () => {
  it.each(['layernorm', 'full', 'student-t', 'learned-nu', 'von-mises', 'sides'])('twin-%s loads (loadMdn and mixden/inference) and gives the log-densities and mixtures PyTorch computed', async (name) => {
    const reports = await page().run<CompareReport[]>('pytorchTwinFiles', { name });
    expect(reports.length).toBeGreaterThanOrEqual(5);
    expectReportsPass(reports);
  });
});

describe('sequence model files and the PyTorch twin (interop/pytorch)', () => {
  it.each([
    ['twin-sequence-lstm.safetensors', 'twin-sequence-lstm-expected.json'],
    ['twin-sequence-gru.safetensors', 'twin-sequence-gru-expected.json'],
    ['mixden-sequence-gru.safetensors', 'mixden-sequence-gru-twin.json'],
    ['mixden-sequence-lstm.safetensors', 'mixden-sequence-lstm-twin.json'],
  ])('%s: held-out NLL and greedy generations (plain and primed) on the GPU are what PyTorch computed (%s)', async (file, expected) => {
    expectReportsPass(await page().run<CompareReport[]>('pytorchSequenceFiles', { file, expected }));
  });
});
