// Draws from mixtures of full-covariance Gaussians, straight from the raw head outputs (layout in
// fullCovarianceNll.wgsl.ts). One invocation per (row, sample): the component as the diagonal sampler draws it,
// then y = μ + τσ · L z, z standard normal (Box–Muller), the σ temperature τσ scaling the Cholesky factor L.
// The same stream of random numbers as mixtureSample.wgsl.ts, and L's diagonal applied in the same order, so a
// factor with nothing below its diagonal draws exactly what the diagonal kernel draws.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { standardDrawWgsl } from './componentDensity.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { fullCovarianceLayoutWgsl } from './fullCovarianceNll.wgsl.js';
import { drawComponentWgsl, randomStreamWgsl } from './mixtureSample.wgsl.js';

export const FULL_COVARIANCE_SAMPLE_WORKGROUP = 64;

export function fullCovarianceSampleSource(sigma: SigmaActivation, dims: number): string {
  return wgsl`
${fullCovarianceLayoutWgsl(dims)}
${sigmaTermsWgsl(sigma)}
${standardDrawWgsl({ family: 'gaussian' })}
${randomStreamWgsl}
${drawComponentWgsl}

fn drawSample(i: u32) {
  let row = i / shape.samplesPerRow;
  let j = i % shape.samplesPerRow;
  let K = shape.components;
  let base = row * shape.headStride;
  var stream = hash(call.seed ^ hash((call.rowOffset + row) ^ hash(j * 2654435769u)));
  let o = componentOffsets(base, K, drawComponent(base, &stream));
  var z: array<f32, D>;
  for (var d = 0u; d < D; d++) {
    z[d] = standardDraw(&stream);
  }
  let out = i * shape.sampleStride;
  for (var d = 0u; d < D; d++) {
    let sigma = 1.0 / sigmaTerms(head[o.diag + d]).invSigma;
    let rowStart = o.lower + (d * d - d) / 2u;
    var below = 0.0;
    for (var c = 0u; c < d; c++) {
      below += head[rowStart + c] * z[c];
    }
    samples[out + d] = head[o.mu + d] + call.sigmaTemperature * sigma * z[d] + call.sigmaTemperature * below;
  }
}
${elementwiseEntry(FULL_COVARIANCE_SAMPLE_WORKGROUP, 'shape.rows * shape.samplesPerRow', '  drawSample(i);')}`;
}
