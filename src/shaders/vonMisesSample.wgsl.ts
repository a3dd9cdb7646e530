// Draws from a mixture of von Mises components: the component as the diagonal sampler picks it, then per dimension
// θ = μ + an offset from Best and Fisher's sampler (vonMises.wgsl.ts) at concentration κ/τ², τ the σ temperature
// (σ = 1/√κ is what it multiplies, as for every family; 0 gives μ), wrapped into (−π, π].
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { drawComponentWgsl, randomStreamWgsl } from './mixtureSample.wgsl.js';
import { vonMisesDrawWgsl, vonMisesWgsl } from './vonMises.wgsl.js';

export const VON_MISES_SAMPLE_WORKGROUP = 64;

export function vonMisesSampleSource(sigma: SigmaActivation): string {
  return `
${sigmaTermsWgsl(sigma)}
${randomStreamWgsl}
${drawComponentWgsl}
${vonMisesWgsl}
${vonMisesDrawWgsl}

fn drawSample(i: u32) {
  let row = i / shape.samplesPerRow;
  let j = i % shape.samplesPerRow;
  let K = shape.components;
  let D = shape.dims;
  let base = row * shape.headStride;
  var stream = hash(call.seed ^ hash((call.rowOffset + row) ^ hash(j * 2654435769u)));
  let k = drawComponent(base, &stream);
  let muBase = base + K + k * D;
  let out = i * shape.sampleStride;
  for (var d = 0u; d < D; d++) {
    let scaled = sigmaTerms(head[muBase + K * D + d]).invSigma / call.sigmaTemperature;
    let offset = select(0.0, vonMisesDraw(&stream, scaled * scaled), call.sigmaTemperature > 0.0);
    samples[out + d] = wrapAngle(head[muBase + d] + offset);
  }
}
${elementwiseEntry(VON_MISES_SAMPLE_WORKGROUP, 'shape.rows * shape.samplesPerRow', '  drawSample(i);')}`;
}
