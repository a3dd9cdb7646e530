// Draws samples from the mixture of each row, straight from the raw head outputs. One invocation per
// (row, sample): the component from softmax(logits / temperature) (argmax where temperature is 0), then
// y_d = μ_kd + sigmaTemperature · σ_kd · z, z a standard draw of the family (componentDensity.wgsl.ts: Box–Muller
// for Gaussians, the inverse CDF for Laplace, a normal over a Gamma draw for Student-t). Random numbers come from a counter-based
// hash of (seed, absolute row, sample index, draw), so results do not depend on how rows are chunked.
import { hashWgsl } from './hash.wgsl.js';
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { type ComponentShape, standardDrawWgsl } from './componentDensity.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import type { HeadShape } from './unrolledHead.js';
import { indices } from './indices.js';

export const MIXTURE_SAMPLE_WORKGROUP = 64;

/**
 * drawComponent and drawSample for a head whose K and D are constants (see unrolledHead.ts): the same
 * arithmetic in the same order as the loops, so both give the same draws. drawSample is written out too,
 * though its loop over D runs once per draw: sharing the looping one was measured slower on SwiftShader.
 */
function unrolledDraws({ components: K, dims: D }: HeadShape): string {
  const component = [`let logit0 = head[base];`, 'var best = 0u;', 'var maxScaled = logit0;'];
  for (const k of indices(K).slice(1)) {
    component.push(`let logit${k} = head[base + ${k}u];`, `best = select(best, ${k}u, logit${k} > maxScaled);`, `maxScaled = max(maxScaled, logit${k});`);
  }
  component.push('if (call.temperature <= 0.0) { return best; }', 'let inverseT = 1.0 / call.temperature;');
  for (const k of indices(K)) component.push(`let cumulative${k} = ${k === 0 ? '' : `cumulative${k - 1} + `}exp((logit${k} - maxScaled) * inverseT);`);
  component.push(`let threshold = nextUniform(stream) * cumulative${K - 1};`);
  // The first component whose cumulative weight reaches the threshold (the last one if rounding leaves none).
  component.push(`var chosen = ${K - 1}u;`);
  for (const k of indices(K - 1).reverse()) component.push(`chosen = select(chosen, ${k}u, cumulative${k} >= threshold);`);
  component.push('return chosen;');
  const sample = [
    'let row = i / shape.samplesPerRow;',
    'let j = i % shape.samplesPerRow;',
    'let base = row * shape.headStride;',
    'var stream = hash(call.seed ^ hash((call.rowOffset + row) ^ hash(j * 2654435769u)));',
    'let k = drawComponent(base, &stream);',
    `let muBase = base + ${K}u + k * ${D}u;`,
    'let out = i * shape.sampleStride;',
  ];
  for (const d of indices(D)) {
    sample.push(
      '{',
      '  let z = standardDraw(&stream);',
      `  let sigma = 1.0 / sigmaTerms(head[muBase + ${K * D + d}u]).invSigma;`,
      `  samples[out + ${d}u] = head[muBase + ${d}u] + call.sigmaTemperature * sigma * z;`,
      '}',
    );
  }
  return `fn drawComponent(base: u32, stream: ptr<function, u32>) -> u32 {
  ${component.join('\n  ')}
}

fn drawSample(i: u32) {
  ${sample.join('\n  ')}
}`;
}

/** The random stream of a sampling kernel: the hash, and nextUniform (uniform on (0, 1), never 0: Box–Muller takes its log). */
export const randomStreamWgsl = `${hashWgsl}

fn nextUniform(stream: ptr<function, u32>) -> f32 {
  *stream = hash(*stream);
  return (f32(*stream >> 8u) + 0.5) / 16777216.0;
}`;

/**
 * drawComponent(base, stream): the component of the row whose head starts at base, from
 * softmax(logits / temperature), the most probable one at temperature 0. Loops over shape.components.
 */
export const drawComponentWgsl = `fn drawComponent(base: u32, stream: ptr<function, u32>) -> u32 {
  let K = shape.components;
  var best = 0u;
  var maxScaled = head[base];
  for (var k = 1u; k < K; k++) {
    if (head[base + k] > maxScaled) {
      maxScaled = head[base + k];
      best = k;
    }
  }
  if (call.temperature <= 0.0) { return best; }
  let inverseT = 1.0 / call.temperature;
  var total = 0.0;
  for (var k = 0u; k < K; k++) {
    total += exp((head[base + k] - maxScaled) * inverseT);
  }
  let threshold = nextUniform(stream) * total;
  var cumulative = 0.0;
  for (var k = 0u; k < K; k++) {
    cumulative += exp((head[base + k] - maxScaled) * inverseT);
    if (cumulative >= threshold) { return k; }
  }
  return K - 1u;
}`;

export function mixtureSampleSource(sigma: SigmaActivation, unrolled: HeadShape | null, shape: ComponentShape = {}): string {
  return wgsl`
${sigmaTermsWgsl(sigma)}
${standardDrawWgsl(shape)}

${randomStreamWgsl}

#if ${unrolled !== null}
${unrolled ? unrolledDraws(unrolled) : ''}
#else
${drawComponentWgsl}

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
    let z = standardDraw(&stream);
    let sigma = 1.0 / sigmaTerms(head[muBase + K * D + d]).invSigma;
    samples[out + d] = head[muBase + d] + call.sigmaTemperature * sigma * z;
  }
}
#endif
${elementwiseEntry(MIXTURE_SAMPLE_WORKGROUP, 'shape.rows * shape.samplesPerRow', '  drawSample(i);')}`;
}
