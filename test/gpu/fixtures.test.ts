// Files of earlier releases load and predict bit for bit (test/fixtures/, made by release 0.1.0 on SwiftShader).
import { describe, expect, it } from 'vitest';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('model files of release 0.1.0', () => {
  it('load and give the same predict, logProb and seeded sample bits, and save again as safetensors with the same weights, bit for bit', async () => {
    // Mismatching elements per output (-1: a different length).
    expect(await page().run('release010ModelFile')).toEqual({ pi: 0, mu: 0, sigma: 0, logProb: 0, samples: 0, resaved: true });
  });
});
