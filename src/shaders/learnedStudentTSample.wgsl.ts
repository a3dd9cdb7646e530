// Draws from a mixture of Student-t components with learned ν (learnedDegreesOfFreedom.wgsl.ts): the component
// as the diagonal sampler picks it, then per dimension t = z / √(χ²_ν / ν) with χ²_ν = 2 Gamma(ν/2), the Gamma
// draw by Marsaglia and Tsang's method with its shape known only at run time (ν/2 ≥ 0.75; below 1 it draws
// Gamma(a + 1)·U^(1/a)), and y = μ + sigmaTemperature · σ · t.
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { drawComponentWgsl, randomStreamWgsl } from './mixtureSample.wgsl.js';
import { learnedDegreesOfFreedomWgsl } from './learnedDegreesOfFreedom.wgsl.js';

export const LEARNED_STUDENT_T_SAMPLE_WORKGROUP = 64;

export function learnedStudentTSampleSource(sigma: SigmaActivation): string {
  return `
${sigmaTermsWgsl(sigma)}
${learnedDegreesOfFreedomWgsl}
${randomStreamWgsl}
${drawComponentWgsl}

fn normalDraw(stream: ptr<function, u32>) -> f32 {
  let u1 = nextUniform(stream);
  let u2 = nextUniform(stream);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

// Each try accepts with probability above 0.95, so 32 tries all fail with probability below 1e-40.
fn gammaDraw(stream: ptr<function, u32>, a: f32) -> f32 {
  let boosted = a < 1.0;
  let d = select(a, a + 1.0, boosted) - 1.0 / 3.0;
  let c = inverseSqrt(9.0 * d);
  var value = d;
  for (var attempt = 0u; attempt < 32u; attempt++) {
    let x = normalDraw(stream);
    let v0 = 1.0 + c * x;
    if (v0 <= 0.0) { continue; }
    let v = v0 * v0 * v0;
    value = d * v;
    if (log(nextUniform(stream)) < 0.5 * x * x + d - value + d * log(v)) { break; }
  }
  if (boosted) { value *= pow(nextUniform(stream), 1.0 / a); }
  return value;
}

fn drawSample(i: u32) {
  let row = i / shape.samplesPerRow;
  let j = i % shape.samplesPerRow;
  let K = shape.components;
  let D = shape.dims;
  let KD = K * D;
  let base = row * shape.headStride;
  var stream = hash(call.seed ^ hash((call.rowOffset + row) ^ hash(j * 2654435769u)));
  let k = drawComponent(base, &stream);
  let muBase = base + K + k * D;
  let out = i * shape.sampleStride;
  for (var d = 0u; d < D; d++) {
    let nu = nuOf(head[muBase + 2u * KD + d]);
    let z = normalDraw(&stream);
    let t = z * inverseSqrt(2.0 * gammaDraw(&stream, 0.5 * nu) / nu);
    let sigma = 1.0 / sigmaTerms(head[muBase + KD + d]).invSigma;
    samples[out + d] = head[muBase + d] + call.sigmaTemperature * sigma * t;
  }
}
${elementwiseEntry(LEARNED_STUDENT_T_SAMPLE_WORKGROUP, 'shape.rows * shape.samplesPerRow', '  drawSample(i);')}`;
}
