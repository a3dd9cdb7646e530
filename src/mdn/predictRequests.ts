// What a caller may ask the predictor: sampling options, and requests to record inference into the caller's
// own command encoder, with the checks they pass before anything is recorded.
import { InvalidArgumentError } from '../runtime/errors.js';
import { requireBuffer } from '../runtime/transfer.js';
import { checkOptionKeys } from './arguments.js';

export const SAMPLE_OPTION_KEYS = ['temperature', 'sigmaTemperature', 'seed'] as const;
const ENCODE_COMMON = ['mode', 'input', 'output', 'count', 'offset'] as const;
export const ENCODE_REQUEST_KEYS: Record<string, readonly string[]> = {
  mixture: ENCODE_COMMON,
  logProb: [...ENCODE_COMMON, 'target'],
  sample: [...ENCODE_COMMON, 'samples', ...SAMPLE_OPTION_KEYS],
};
/** A request to record inference into a caller's command encoder, on the caller's buffers. */
export type EncodeRequest = {
  /** rows x inputDim floats, read from row `offset`; needs COPY_SRC usage. */
  readonly input: GPUBuffer;
  /** Results, written at row `offset`; needs COPY_DST usage. */
  readonly output: GPUBuffer;
  /** Rows to compute (at least 1). */
  readonly count: number;
  /** First row (default 0), the same in input, target and output. */
  readonly offset?: number;
} & (
  | { readonly mode: 'mixture' }
  | { readonly mode: 'logProb'; readonly target: GPUBuffer }
  | ({ readonly mode: 'sample'; readonly samples: number } & SampleOptions)
);

export interface SampleOptions {
  /** π logits are divided by it before the softmax (default 1); 0 always picks the most probable component. */
  readonly temperature?: number;
  /** Every σ is multiplied by it (default 1); 0 returns the chosen component's mean. */
  readonly sigmaTemperature?: number;
  /** Seed of the draws, an integer from 0 to 2^32 − 1 (default: a fresh one each call): the same seed, inputs and weights give the same samples. */
  readonly seed?: number;
}

/** Checks a sampling call's values: n draws of `dims` values must fit one chunk of `chunkValues`. */
export function checkSampling(dims: number, chunkValues: number, n: number, temperature: number, sigmaTemperature: number, seed: number): void {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`n (samples per row) must be an integer >= 1, got ${n}`);
  if (n * dims > chunkValues) {
    throw new InvalidArgumentError(`n = ${n} samples of ${dims} values is more than one chunk holds (${chunkValues} values)`);
  }
  for (const [name, value] of [['temperature', temperature], ['sigmaTemperature', sigmaTemperature]] as const) {
    if (!(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`${name} must be a finite number >= 0, got ${value}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
}

/**
 * Checks an encode request against the model's sizes and the caller's buffers (their usage and length), before
 * anything is recorded; returns the floats per row of its result.
 */
export function checkEncodeRequest(
  request: EncodeRequest,
  sizes: { inputDim: number; outputDim: number; mixtureWidth: number; sampleChunkValues: number },
): number {
  const { count, offset = 0 } = request;
  const { inputDim, outputDim } = sizes;
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`count must be an integer >= 1, got ${count}`);
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`offset must be an integer >= 0, got ${offset}`);
  if (!ENCODE_REQUEST_KEYS[request.mode]) throw new InvalidArgumentError(`mode must be 'mixture', 'logProb' or 'sample', got ${JSON.stringify((request as { mode: unknown }).mode)}`);
  const perRow = request.mode === 'mixture' ? sizes.mixtureWidth : request.mode === 'logProb' ? 1 : request.samples * outputDim;
  checkOptionKeys('the encode request', request, ENCODE_REQUEST_KEYS[request.mode] ?? []);
  if (request.mode === 'sample') checkSampling(outputDim, sizes.sampleChunkValues, request.samples, request.temperature ?? 1, request.sigmaTemperature ?? 1, request.seed ?? 0);
  requireBuffer('input', request.input, 'COPY_SRC', (offset + count) * inputDim);
  requireBuffer('output', request.output, 'COPY_DST', (offset + count) * perRow);
  if (request.mode === 'logProb') requireBuffer('target', request.target, 'COPY_SRC', (offset + count) * outputDim);
  return perRow;
}
