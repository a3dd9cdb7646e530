// rowNll of the fused mixture kernel for a head whose K and D are compile-time constants (see unrolledHead.ts):
// every loop written out, each component's log-density, u = (y - μ)/σ and σ terms held in named values.
// Same quantities and the same guards as the loop version in mixtureNll.wgsl.ts.
import type { HeadShape } from './unrolledHead.js';
import { indices } from './indices.js';

export function unrolledRowNllWgsl({ components: K, dims: D }: HeadShape, withGradient: boolean): string {
  const lines: string[] = ['let rowBase = row * shape.headStride;', 'let targetBase = row * shape.targetStride;'];
  const muAt = (k: number, d: number) => `rowBase + ${K + k * D + d}u`;
  const sigmaAt = (k: number, d: number) => `rowBase + ${K + K * D + k * D + d}u`;
  for (const d of indices(D)) lines.push(`let y${d} = targets[targetBase + ${d}u];`);
  for (const k of indices(K)) {
    lines.push(`let logit${k} = head[rowBase + ${k}u];`);
    const terms: string[] = [];
    for (const d of indices(D)) {
      const kd = `${k}_${d}`;
      lines.push(
        `let s${kd} = head[${sigmaAt(k, d)}];`,
        `let t${kd} = sigmaTerms(s${kd});`,
        `let u${kd} = (y${d} - head[${muAt(k, d)}]) * t${kd}.invSigma;`,
      );
      terms.push(`negLogKernel(u${kd}) + t${kd}.logSigma`);
    }
    lines.push(`let joint${k} = logit${k} - f32(${D}) * LOG_NORMALIZER - (${terms.join(' + ')});`);
  }
  // LOWEST keeps a row whose every log-density is -Inf from forming -Inf - -Inf.
  const maxOf = (name: string) => indices(K).reduce((acc, k) => `max(${acc}, ${name}${k})`, 'LOWEST');
  const sumExp = (name: string, shift: string) => indices(K).map((k) => `exp(${name}${k} - ${shift})`).join(' + ');
  lines.push(
    `let maxLogit = ${maxOf('logit')};`,
    `let maxJoint = ${maxOf('joint')};`,
    `let logNormalizer = maxLogit + log(${sumExp('logit', 'maxLogit')});`,
    `let logJoint = maxJoint + log(${sumExp('joint', 'maxJoint')});`,
  );
  if (!withGradient) {
    lines.push('return logNormalizer - logJoint;');
    return `fn rowNll(row: u32) -> f32 {\n  ${lines.join('\n  ')}\n}`;
  }
  lines.push('let scale = shape.gradScale;', 'var penalty = 0.0;');
  for (const k of indices(K)) {
    lines.push(
      '{',
      `  let responsibility = exp(joint${k} - logJoint);`,
      `  headGrad[rowBase + ${k}u] = scale * (exp(logit${k} - logNormalizer) - responsibility);`,
      // A component with zero responsibility contributes nothing; its u may be Inf, and 0 * Inf must not be NaN.
      '  let live = responsibility > 0.0;',
    );
    for (const d of indices(D)) {
      const kd = `${k}_${d}`;
      lines.push(
        `  headGrad[${muAt(k, d)}] = select(0.0, -scale * responsibility * score(u${kd}) * t${kd}.invSigma, live);`,
        `  penalty += s${kd} * s${kd};`,
        `  headGrad[${sigmaAt(k, d)}] = shape.sigmaGradScale * (select(0.0, scale * responsibility * (1.0 - score(u${kd}) * u${kd}) * t${kd}.dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s${kd});`,
      );
    }
    lines.push('}');
  }
  lines.push('return logNormalizer - logJoint + shape.sigmaPenalty * penalty;');
  return `fn rowNll(row: u32) -> f32 {\n  ${lines.join('\n  ')}\n}`;
}
