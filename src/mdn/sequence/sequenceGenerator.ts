// Autoregressive generation on the GPU: many sequences at once, one step at a time, each step's draw fed back as
// the next step's input, all steps recorded into one submit (the first step's program starts every recurrent
// layer from a zero state, the others continue from the state the previous step left), with one readback at the
// end: the generated steps and each sequence's length. The layers' outputs come in two sets that the steps
// alternate between: a continued step reads h_{t−1} from one while it writes h_t to the other. Primed generation
// first walks the prime's steps the same way, fed the prime instead of the draws, so what is generated continues it.
import type { GpuContext } from '../../runtime/device.js';
import type { Arena } from '../../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../../runtime/buffers.js';
import { compileKernel } from '../../runtime/kernel.js';
import { ProgramBuilder, type Program } from '../../runtime/program.js';
import { StepRing } from '../../runtime/stepRing.js';
import { ResourceScope, StagingBuffer, submitCommands } from '../../runtime/transfer.js';
import { DeviceLimitError, InvalidArgumentError } from '../../runtime/errors.js';
import { type DispatchTiming, timeProgram } from '../../runtime/timestamps.js';
import { SampleCall } from '../../shaders/mixtureSample.js';
import { sequenceFeedback } from '../../shaders/sequenceFeedback.js';
import { type MdnArchitecture, networkLayers, targetWidth } from '../architecture.js';
import { NetworkRecorder, createWorkspace } from '../network.js';
import { MAX_SEQUENCE_STEPS, checkSequences } from './sequenceData.js';

export interface GenerateOptions {
  /** Sequences to generate at once (default 1). */
  readonly count?: number;
  /** Steps at most per sequence (default 100). */
  readonly maxSteps?: number;
  /** Conditioning values: one row for every sequence, or count rows (conditioned models; default zeros). */
  readonly conditions?: ArrayLike<number>;
  /** π logits are divided by it (and side outputs' logits); 0 takes the most probable (default 1). */
  readonly temperature?: number;
  /** σ is multiplied by it; 0 gives the component mean (default 1). */
  readonly sigmaTemperature?: number;
  /** The same seed, model and options give the same sequences (default 0). */
  readonly seed?: number;
  /** Stop a sequence at the step whose draw has `value` in `column` (e.g. a side output's "finished" class). */
  readonly stopWhen?: { readonly column: number; readonly value: number };
  /**
   * Steps to continue (primed sampling, as Graves primes handwriting with a real sample): the model walks these
   * first, fed them as if they were its draws, then generates what follows. A sequence's `y` (rows of the step
   * width: targets, then side outputs' classes) for all sequences, or a list of `count` of them of one length.
   * The results hold only the steps generated after the prime.
   */
  readonly prime?: ArrayLike<number> | readonly ArrayLike<number>[];
}

export interface GeneratedSequences {
  /** Each sequence's steps, row after row (targetWidth values per step), up to and including its stop. */
  readonly sequences: Float32Array[];
  readonly lengths: number[];
}

/** Most sequences one call generates. */
export const MAX_GENERATED_SEQUENCES = 65_536;

function checkOptions(arch: MdnArchitecture, options: GenerateOptions) {
  const count = options.count ?? 1;
  const maxSteps = options.maxSteps ?? 100;
  const temperature = options.temperature ?? 1;
  const sigmaTemperature = options.sigmaTemperature ?? 1;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_GENERATED_SEQUENCES)) throw new InvalidArgumentError(`count must be an integer from 1 to ${MAX_GENERATED_SEQUENCES}, got ${count}`);
  if (!(Number.isInteger(maxSteps) && maxSteps >= 1 && maxSteps <= MAX_SEQUENCE_STEPS)) throw new InvalidArgumentError(`maxSteps must be an integer from 1 to ${MAX_SEQUENCE_STEPS}, got ${maxSteps}`);
  if (!(Number.isFinite(temperature) && temperature >= 0)) throw new InvalidArgumentError(`temperature must be a finite number >= 0, got ${temperature}`);
  if (!(Number.isFinite(sigmaTemperature) && sigmaTemperature >= 0)) throw new InvalidArgumentError(`sigmaTemperature must be a finite number >= 0, got ${sigmaTemperature}`);
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new InvalidArgumentError(`seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
  const width = targetWidth(arch);
  const stop = options.stopWhen;
  if (stop && !(Number.isInteger(stop.column) && stop.column >= 0 && stop.column < width && Number.isFinite(stop.value))) {
    throw new InvalidArgumentError(`stopWhen must be { column: 0 to ${width - 1}, value: a number }, got ${JSON.stringify(stop)}`);
  }
  const conditionDim = arch.sequence?.conditionDim ?? 0;
  const given = options.conditions ?? new Float32Array(conditionDim);
  if (given.length !== conditionDim && given.length !== count * conditionDim) {
    throw new InvalidArgumentError(`conditions must hold ${conditionDim} values (one row for all) or ${count} rows of them, got ${given.length}`);
  }
  for (let i = 0; i < given.length; i++) if (!Number.isFinite(given[i])) throw new InvalidArgumentError(`conditions has a non-finite value (${given[i]}) at ${i}`);
  const conditions = new Float32Array(Math.max(1, count * conditionDim));
  for (let n = 0; n < count; n++) for (let c = 0; c < conditionDim; c++) conditions[n * conditionDim + c] = given.length === conditionDim ? given[c] : given[n * conditionDim + c];
  return { count, maxSteps, temperature, sigmaTemperature, seed, stop, conditions, conditionDim, width, ...checkPrime(arch, options.prime, count, width, maxSteps) };
}

// The prime's steps: one sequence for all, or one for each of the `count` (all of one length); its values as a
// sequence's targets are checked.
function checkPrime(arch: MdnArchitecture, prime: GenerateOptions['prime'], count: number, width: number, maxSteps: number) {
  if (prime === undefined) return { prime: new Float32Array(1), primeSteps: 0, primeShared: true };
  const primes: ArrayLike<number>[] = Array.isArray(prime) && prime.length > 0 && typeof prime[0] === 'object' ? (prime as ArrayLike<number>[]) : [prime as ArrayLike<number>];
  const shared = primes.length === 1;
  if (!shared && primes.length !== count) throw new InvalidArgumentError(`prime must be one sequence's steps for all, or ${count} sequences (one per generated sequence), got ${primes.length}`);
  const steps = checkSequences('prime', arch, primes.map((y) => ({ y, condition: new Float32Array(arch.sequence?.conditionDim ?? 0) })));
  if (steps.some((n) => n !== steps[0])) throw new InvalidArgumentError(`the primes must all have the same number of steps, got ${[...new Set(steps)].join(', ')}`);
  const primeSteps = steps[0];
  if (primeSteps + maxSteps > MAX_SEQUENCE_STEPS) throw new InvalidArgumentError(`a prime of ${primeSteps} steps and maxSteps ${maxSteps} pass the limit of ${MAX_SEQUENCE_STEPS} steps`);
  const values = new Float32Array(primes.length * primeSteps * width);
  primes.forEach((p, n) => values.set(Array.from(p), n * primeSteps * width));
  return { prime: values, primeSteps, primeShared: shared };
}

/**
 * A generation program for `count` sequences of at most `maxSteps` steps, built once: `run` generates and reads
 * back; `encode` records every step into a caller's command encoder (`outputs` then hold the results).
 */
export class SequenceGenerator {
  private constructor(
    private readonly gpu: GpuContext,
    private readonly scope: ResourceScope,
    private readonly first: Program,
    /** The continued step, writing the outputs of set 1 (odd steps) and of set 0 (even steps). */
    private readonly next: readonly [Program, Program],
    private readonly ring: StepRing,
    private readonly buffers: { input: GPUBuffer; conditions: GPUBuffer; prime: GPUBuffer; generated: GPUBuffer; lengths: GPUBuffer; staging: StagingBuffer },
    private readonly settings: ReturnType<typeof checkOptions>,
  ) {}

  /** `ownParameters`: the generator destroys `parameters` with itself (mixden/inference's, made for it). */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, parameters: Arena, options: GenerateOptions = {}, ownParameters = false): Promise<SequenceGenerator> {
    if (!architecture.sequence) throw new InvalidArgumentError('generation is for sequence models');
    const settings = checkOptions(architecture, options);
    const { count, maxSteps, width, primeSteps } = settings;
    const generatedFloats = maxSteps * count * width;
    if (generatedFloats * 4 > gpu.limits.maxStorageBufferBindingSize) {
      throw new DeviceLimitError(`${count} sequences of ${maxSteps} steps need ${generatedFloats * 4} bytes; the device binds at most ${gpu.limits.maxStorageBufferBindingSize}`);
    }
    const scope = new ResourceScope();
    if (ownParameters) scope.own(parameters);
    try {
      const buffer = (label: string, floats: number) => scope.own(createStorageBuffer(gpu, `generate ${label}`, floats));
      const layers = networkLayers(architecture);
      const input = buffer('inputs', count * architecture.inputDim);
      const outputSets = [0, 1].map((set) => layers.map((l, i) => buffer(`layer${i} output ${set}`, count * l.outputs)));
      const workspace = createWorkspace(gpu, layers, count, false, 'generate').map((b) => b.map((w) => scope.own(w)));
      const samples = buffer('draws', count * width);
      const conditions = buffer('conditions', settings.conditions.length);
      const prime = buffer('prime', settings.prime.length);
      const generated = buffer('sequences', generatedFloats);
      const lengths = buffer('lengths', count);
      const staging = scope.own(new StagingBuffer(gpu, 'generated readback', generatedFloats + count));
      const ring = scope.own(new StepRing(gpu, SampleCall, primeSteps + maxSteps, 'generation steps'));
      const recorder = await NetworkRecorder.create(gpu, architecture, { generation: true });
      const feedback = await compileKernel(gpu, sequenceFeedback, {});
      const stop = settings.stop;
      // Step t writes set t % 2 (the first step set 0), a continued one reading the other.
      const program = (continued: boolean, set: 0 | 1) => {
        const builder = new ProgramBuilder(gpu, `generate ${continued ? 'next' : 'first'} step`);
        const outputs = outputSets[set];
        recorder.forward(builder, count, { input, outputs, workspace, ...(continued ? { previousOutputs: outputSets[1 - set] } : {}) }, parameters, false, 1, { continued });
        recorder.sample(builder, count, 1, { head: outputs[outputs.length - 1], samples, call: ring.binding() });
        builder.add(
          feedback,
          { samples, conditions, prime, input, generated, lengths, call: ring.binding() },
          {
            count,
            width,
            conditionDim: settings.conditionDim,
            stopColumn: stop?.column ?? 0,
            stopValue: stop?.value ?? 0,
            hasStop: stop ? 1 : 0,
            primeSteps,
            primeShared: settings.primeShared ? 1 : 0,
          },
        );
        return scope.own(builder.build());
      };
      return new SequenceGenerator(gpu, scope, program(false, 0), [program(true, 0), program(true, 1)], ring, { input, conditions, prime, generated, lengths, staging }, settings);
    } catch (error) {
      scope.destroy();
      throw error;
    }
  }

  /** Dispatches per generated step. */
  get dispatchesPerStep(): number {
    return this.next[1].dispatchCount;
  }

  // Writes the starting inputs and per-step values (queue writes, before the steps' submit).
  private prepare(): void {
    const { count, maxSteps, temperature, sigmaTemperature, seed, conditions, conditionDim, width, primeSteps } = this.settings;
    const inputDim = width + conditionDim;
    const input = new Float32Array(count * inputDim);
    for (let n = 0; n < count; n++) input.set(conditions.subarray(n * conditionDim, (n + 1) * conditionDim), n * inputDim + width);
    uploadFloats(this.gpu, this.buffers.input, input);
    uploadFloats(this.gpu, this.buffers.conditions, conditions);
    uploadFloats(this.gpu, this.buffers.prime, this.settings.prime);
    uploadFloats(this.gpu, this.buffers.lengths, new Float32Array(count).fill(maxSteps));
    uploadFloats(this.gpu, this.buffers.generated, new Float32Array(maxSteps * count * width));
    // Step t (the prime's steps first) draws from rowOffset t·count: a primed call's draws after the prime are
    // those an unprimed call makes at the same steps.
    this.ring.write(this.gpu.device.queue, Array.from({ length: primeSteps + maxSteps }, (_, t) => ({ temperature, sigmaTemperature, seed, rowOffset: t * count })));
  }

  /**
   * Records every step of a generation into `encoder` (one compute pass); once the caller submits it, `outputs`
   * hold the results: `generated`, maxSteps × count × width floats (step t of sequence n at (t·count + n)·width),
   * valid up to each sequence's length, and `lengths`, count floats. Allocates nothing.
   * @example
   * generator.encode(encoder);
   * device.queue.submit([encoder.finish()]);
   */
  encode(encoder: GPUCommandEncoder): void {
    this.gpu.assertUsable();
    this.prepare();
    const pass = encoder.beginComputePass({ label: 'generate sequences' });
    this.record(pass);
    pass.end();
  }

  private record(pass: GPUComputePassEncoder): void {
    this.first.encode(pass, this.ring.offset(0));
    for (let t = 1; t < this.settings.primeSteps + this.settings.maxSteps; t++) this.next[t % 2].encode(pass, this.ring.offset(t));
  }

  /**
   * GPU time of each dispatch of one generated step after the first (the step every later one repeats), with the
   * first step run before it so that it continues a state; null without `timestamp-query`. Leaves the outputs
   * unspecified until the next run.
   */
  async profileStep(): Promise<DispatchTiming[] | null> {
    this.gpu.assertUsable();
    this.prepare();
    submitCommands(this.gpu, 'generate first step', (encoder) => {
      const pass = encoder.beginComputePass({ label: 'generate first step' });
      this.first.encode(pass, this.ring.offset(0));
      pass.end();
    });
    return timeProgram(this.gpu, this.next[1], this.ring.offset(Math.min(1, this.settings.primeSteps + this.settings.maxSteps - 1)));
  }

  /** The buffers the results are left in (see encode). */
  get outputs(): { generated: GPUBuffer; lengths: GPUBuffer } {
    return { generated: this.buffers.generated, lengths: this.buffers.lengths };
  }

  /** Generates and reads back, in one submit and one readback. */
  async run(): Promise<GeneratedSequences> {
    this.gpu.assertUsable();
    const { count, maxSteps, width } = this.settings;
    const floats = maxSteps * count * width;
    submitCommands(this.gpu, 'generate sequences', (encoder) => {
      this.encode(encoder);
      this.buffers.staging.copyFrom(encoder, this.buffers.generated, 0, 0, floats);
      this.buffers.staging.copyFrom(encoder, this.buffers.lengths, 0, floats, count);
    });
    const values = await this.buffers.staging.read(0, floats + count);
    const lengths = Array.from(values.subarray(floats), (v) => Math.round(v));
    const sequences = lengths.map((length, n) => {
      const out = new Float32Array(length * width);
      for (let t = 0; t < length; t++) out.set(values.subarray((t * count + n) * width, (t * count + n + 1) * width), t * width);
      return out;
    });
    return { sequences, lengths };
  }

  destroy(): void {
    this.scope.destroy();
  }
}
