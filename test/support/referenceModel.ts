// A decoded model file evaluated in float64 on the CPU, in original units: the reference network
// (src/mdn/reference) with the file's scalers applied as the GPU applies them. For checking files made
// elsewhere (the PyTorch twin) and what other engines compute from mixden's files.
import { type DecodedModel } from '../../src/mdn/serialization.js';
import { headWidth, networkLayers, targetWidth } from '../../src/mdn/architecture.js';
import { headLoss } from '../../src/mdn/reference/heads.js';
import { sideProbabilities } from '../../src/mdn/reference/sideOutputs.js';
import { sideLogitCount, sideOutputsOf } from '../../src/mdn/heads/sideOutputs.js';
import { applyTargetScaler, leadingColumns } from '../../src/mdn/scaling.js';
import { mixtureParams } from '../../src/mdn/reference/mixture.js';
import { fullCovarianceParams } from '../../src/mdn/reference/fullCovariance.js';
import { learnedStudentTParams } from '../../src/mdn/reference/learnedStudentT.js';
import { lowerCount } from '../../src/shaders/fullCovarianceNll.wgsl.js';
import { applyScaler, logJacobianOf } from '../../src/mdn/data/scaler.js';
import { type Sequence, packSequences, timeMajor } from '../../src/mdn/sequence/sequenceData.js';

/** The raw head of each row of x (original units), in float64. */
function headOf(d: DecodedModel, x: ArrayLike<number>): { head: Float64Array; rows: number } {
  const a = d.architecture;
  const rows = x.length / a.inputDim;
  let h: ArrayLike<number> = d.scaling ? applyScaler(d.scaling.x, x) : Float64Array.from(x);
  for (const l of networkLayers(a)) h = l.kind.reference.forward(l, Float64Array.from(d.blocks[l.index]), h, rows);
  return { head: h as Float64Array, rows };
}

/** log p(y | x) per row, nats, in original units (y's rows carry side outputs' classes after the outputDim values). */
export function referenceLogDensity(d: DecodedModel, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const a = d.architecture;
  const { head, rows } = headOf(d, x);
  const columns = targetWidth(a);
  const scaledY = d.scaling ? applyTargetScaler(d.scaling.y, y, columns) : Float64Array.from(y);
  const { sampleNll } = headLoss(a, head, scaledY, rows, 0);
  const jacobian = d.scaling ? logJacobianOf(d.scaling.y, leadingColumns(y, a.outputDim, columns)) : new Float64Array(rows);
  return Float64Array.from(sampleNll, (nll, r) => -nll + jacobian[r]);
}

/**
 * π, μ, σ (and the full covariance factor below its diagonal, or learned ν) per row in original units, as predict gives them,
 * and the side outputs' probabilities laid out like their logits.
 */
export function referenceMixture(d: DecodedModel, x: ArrayLike<number>): { pi: number[]; mu: number[]; sigma: number[]; lower: number[]; nu: number[]; sides: Float64Array } {
  const a = d.architecture;
  const { head: whole, rows } = headOf(d, x);
  const own = headWidth(a) - sideLogitCount(a);
  const head = leadingColumns(whole, own, headWidth(a));
  const K = a.components;
  const D = a.outputDim;
  const full = a.family === 'gaussian-full';
  const learned = a.degreesOfFreedom === 'learned';
  const nu = learned ? undefined : a.degreesOfFreedom;
  const shape = { batch: rows, components: K, dims: D, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, family: (full ? 'gaussian' : (a.family ?? 'gaussian')) as 'gaussian', degreesOfFreedom: nu };
  const params = full ? fullCovarianceParams(head, shape) : learned ? learnedStudentTParams(head, shape) : mixtureParams(head, shape);
  // Values per component after the scales: the factor below the diagonal, or learned ν (never scaled).
  const L = full ? lowerCount(D) : learned ? D : 0;
  const width = K * (1 + 2 * D + L);
  const scale = (dim: number) => d.scaling?.y.scale[dim] ?? 1;
  const shift = (dim: number) => d.scaling?.y.shift[dim] ?? 0;
  const out = { pi: [] as number[], mu: [] as number[], sigma: [] as number[], lower: [] as number[], nu: [] as number[], sides: sideProbabilities(sideOutputsOf(a), whole, rows, { headOffset: own, headStride: headWidth(a) }) };
  const rowOfEntry = Array.from({ length: D }, (_, i) => Array.from({ length: i }, () => i)).flat();
  for (let r = 0; r < rows; r++) {
    const p = params.subarray(r * width, (r + 1) * width);
    for (let k = 0; k < K; k++) out.pi.push(p[k]);
    for (let i = 0; i < K * D; i++) out.mu.push(p[K + i] * scale(i % D) + shift(i % D));
    for (let i = 0; i < K * D; i++) out.sigma.push(p[K + K * D + i] * scale(i % D));
    for (let i = 0; i < K * L; i++) {
      if (learned) out.nu.push(p[K + 2 * K * D + i]);
      else out.lower.push(p[K + 2 * K * D + i] * scale(rowOfEntry[i % L]));
    }
  }
  return out;
}

/**
 * log p(y_t | y_<t, condition) at every step of each sequence (sequence models), nats, sequence after sequence:
 * the sequences packed as the GPU trains on them (one window each, time-major) through the reference network.
 */
export function referenceSequenceLogDensity(d: DecodedModel, sequences: readonly Sequence[]): Float64Array {
  const a = d.architecture;
  const packed = packSequences(a, sequences);
  const width = targetWidth(a);
  const { x, y, mask } = timeMajor(packed, 0, packed.pieces, a.inputDim, width);
  const rows = packed.pieces * packed.steps;
  let h: ArrayLike<number> = Float64Array.from(x);
  for (const l of networkLayers(a)) h = l.kind.reference.forward(l, Float64Array.from(d.blocks[l.index]), h, rows, packed.steps);
  const { sampleNll } = headLoss(a, h as Float64Array, Float64Array.from(y), rows, 0);
  const out: number[] = [];
  for (let p = 0; p < packed.pieces; p++) for (let t = 0; t < packed.steps; t++) if (mask[t * packed.pieces + p]) out.push(-sampleNll[t * packed.pieces + p]);
  return Float64Array.from(out);
}
