// Inference on the GPU against the float64 reference: the mixture-parameter kernel, and the chunked predictor.
// mixtureParams: atol 1e-6 + rtol 1e-5. π is exp() of an f32 difference of logits (|x| <= ~8 here, and WGSL
// exp errs by at most 3 + 2|x| ulp, i.e. ~1e-6 relative); σ is exp/softplus/elu1 of s in [-50, 50], up to
// 103 ulp = 6e-6 relative at |s| = 50. The predictor adds the f32 forward pass: atol 1e-5 + rtol 1e-4.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import { mixtureParams } from '../../../src/shaders/mixtureParams.js';
import * as ref from '../../../src/mdn/reference/mixture.js';
import { denseForward } from '../../../src/mdn/reference/dense.js';
import { denseLayers } from '../../../src/mdn/architecture.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { MdnPredictor } from '../../../src/mdn/predictor.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { runKernel, toF32 } from '../runKernel.js';
import { SMALL_ARCHITECTURE } from './training.js';

export const inferenceCases = {
  async mixtureParams(
    gpu: GpuContext,
    { batch, components, dims, sigma, layout }: { batch: number; components: number; dims: number; sigma: SigmaActivation; layout: 'unrolled' | 'loops' },
  ) {
    const random = new Random(batch * 3 + components * 5 + dims);
    const width = ref.headWidthOf(components, dims);
    const head = toF32(
      random.fill(batch * width, (r) => r.range(-4, 4)).map((v, i) => {
        const sigmaColumn = i % width >= components * (1 + dims);
        return sigmaColumn && i % 7 === 0 ? (i % 2 ? 50 : -50) : v; // some σ pre-activations at ±50
      }),
    );
    const shape = { batch, components, dims, sigma, sigmaEpsilon: 1e-7 };
    const unrolled = layout === 'loops' ? null : { components, dims };
    const { params } = await runKernel(gpu, mixtureParams, { sigma, unrolled }, { batch, components, dims, sigmaEpsilon: 1e-7 }, {
      buffers: { head, params: head.length },
      read: ['params'],
    });
    const expected = ref.mixtureParams(head, shape);
    const piSums = Array.from({ length: batch }, (_, r) => params.slice(r * width, r * width + components).reduce((a, b) => a + b, 0));
    return [
      compareArrays(`mixtureParams ${layout} ${sigma} B${batch} K${components} D${dims}`, params, expected, { atol: 1e-6, rtol: 1e-5 }),
      // π rows sum to 1 within the f32 rounding of K terms.
      compareArrays('π row sums', piSums, new Array(batch).fill(1), { atol: (components + 2) * 2 ** -23, rtol: 0 }),
    ];
  },

  async predictor(gpu: GpuContext, { rows, maxRows }: { rows: number; maxRows: number }) {
    const arch = SMALL_ARCHITECTURE;
    const trainRows = 40;
    const random = new Random(rows);
    const trainer = await MdnTrainer.create(gpu, arch, { rows: trainRows, optimizer: { kind: 'adam', learningRate: 0.02 } });
    const predictor = await MdnPredictor.create(gpu, arch, trainer.parameters, { maxRows });
    try {
      trainer.setData(toF32(random.fill(trainRows * 3, (r) => r.normal())), toF32(random.fill(trainRows * 2, (r) => r.normal())));
      await trainer.train(5, { lossEvery: 5 });
      const x = toF32(random.fill(rows * arch.inputDim, (r) => r.normal()));
      const mixture = await predictor.predict(x);
      const again = await predictor.predict(x);
      const params = (await trainer.readParameters()).map((p) => Float64Array.from(p));
      let h: ArrayLike<number> = x;
      denseLayers(arch).forEach((layer, i) => (h = denseForward(h, params[i], { rows, ...layer }, layer.activation)));
      const expected = ref.mixtureParams(h, { batch: rows, components: arch.components, dims: arch.outputDim, sigma: arch.sigma, sigmaEpsilon: arch.sigmaEpsilon });
      return {
        chunks: Math.ceil(rows / predictor.maxRows),
        repeatable: mixture.every((v, i) => Object.is(v, again[i])),
        reports: [compareArrays(`predict ${rows} rows in chunks of ${maxRows}`, mixture, expected, { atol: 1e-5, rtol: 1e-4 })],
      };
    } finally {
      predictor.destroy();
      trainer.destroy();
    }
  },
};
