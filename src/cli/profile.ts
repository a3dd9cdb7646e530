// `mixden profile`: GPU time of every dispatch, by timestamps, of the programs a model runs: one training step and
// inference of its rows, or for a sequence model one training step over windows and one generated step; beside
// each, the wall-clock time of the same work as a user runs it (what the GPU time leaves out shows there). The
// inverse-sine model where no --model is given. Training data are drawn from the model itself (the targets valid
// for its family by construction); the parameters trained are a copy, so the model file is left as it was.
import { readFile } from 'node:fs/promises';
import { integerOption, parseCommandArgs } from './args.js';
import { nodeGpu } from '../host/node.js';
import type { GpuContext } from '../runtime/device.js';
import { MixdenError } from '../runtime/errors.js';
import type { DispatchTiming } from '../runtime/timestamps.js';
import { passOf } from '../runtime/program.js';
import { MdnTrainer } from '../mdn/trainer.js';
import { MdnPredictor } from '../mdn/predictor.js';
import { INVERSE_SINE_ARCHITECTURE } from '../mdn/inverseSineJob.js';
import { inverseSine, standardize } from '../mdn/datasets.js';
import { type MdnArchitecture, networkLayers } from '../mdn/architecture.js';
import { Random } from '../mdn/random.js';
import { decodeModel } from '../mdn/serialization.js';
import { loadMdn } from '../mdn/createMdn.js';
import { loadSequenceMdn } from '../mdn/sequence/sequenceMdn.js';

export const PROFILE_USAGE = 'profile [--model model.mixden] [--rows 1000] [--sequences 32] [--steps 64] [--count 256] [--repeats 20] [--json]';

const OPTIONS = {
  model: { type: 'string' },
  rows: { type: 'string', default: '1000' },
  sequences: { type: 'string', default: '32' },
  steps: { type: 'string', default: '64' },
  count: { type: 'string', default: '256' },
  repeats: { type: 'string', default: '20' },
  json: { type: 'boolean', default: false },
} as const;

// e.g. "8 -> 256 relu, 256 -> 256 relu, 256 -> 160 identity; gaussian K 32"
const describeArchitecture = (arch: MdnArchitecture): string =>
  `${networkLayers(arch).map((l) => l.kind.describe(l)).join(', ')}; ${arch.family ?? 'gaussian'} K ${arch.components}`;

/**
 * One program's dispatches, each the median over the repeats, and their sum; and the wall-clock time of the same
 * work as a user runs it (a step of many in one submit, or a call with its upload and readback), which the GPU
 * time leaves out: encoding, submitting, the driver's work between dispatches, reading back.
 */
export interface ProfiledProgram {
  readonly what: string;
  readonly dispatches: { readonly label: string; readonly milliseconds: number }[];
  readonly totalMilliseconds: number;
  readonly wallMilliseconds: number;
  /** What the wall time is of, e.g. "wall time per step (20 in one submit)". */
  readonly wallWhat: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The wall time of `run`, divided by `per`: the median over `repeats` runs (at least 3).
async function wallTime(repeats: number, per: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, repeats); i++) {
    const started = performance.now();
    await run();
    times.push((performance.now() - started) / per);
  }
  return median(times);
}

// Runs `time` `repeats` times and keeps each dispatch's median; `wall` is the wall time of the same work.
async function profiled(what: string, repeats: number, time: () => Promise<DispatchTiming[] | null>, wall: { what: string; milliseconds: () => Promise<number> }): Promise<ProfiledProgram> {
  const runs: DispatchTiming[][] = [];
  for (let i = 0; i < repeats; i++) {
    const timings = await time();
    if (!timings) throw new MixdenError('the adapter offers no timestamp-query, so there is nothing to profile with');
    runs.push(timings);
  }
  const dispatches = runs[0].map(({ label }, i) => ({ label, milliseconds: median(runs.map((r) => r[i].milliseconds)) }));
  return { what, dispatches, totalMilliseconds: dispatches.reduce((sum, d) => sum + d.milliseconds, 0), wallMilliseconds: await wall.milliseconds(), wallWhat: wall.what };
}

// A training step's wall time: `steps` steps in one submit (as fit and train run them), per step.
const trainingWall = (steps: number, train: (steps: number) => Promise<unknown>) => ({
  what: `wall time per step (${steps} in one submit)`,
  milliseconds: () => wallTime(3, steps, () => train(steps)),
});

// A model of rows: its training step on `rows` rows (x drawn standard normal, y drawn from the model at them) and
// inference of those rows, both on a trainer's own copy of the parameters.
async function profileRows(gpu: GpuContext, architecture: MdnArchitecture, rows: number, repeats: number, data: { x: Float32Array | Float64Array; y: ArrayLike<number> }) {
  const trainer = await MdnTrainer.create(gpu, architecture, { rows, optimizer: { kind: 'adam', learningRate: 1e-3 } });
  try {
    trainer.setData(data.x, data.y);
    await trainer.train(2, { lossEvery: 2 });
    const predictor = await MdnPredictor.create(gpu, architecture, trainer.parameters);
    const chunk = Math.min(rows, predictor.maxRows);
    try {
      return [
        await profiled(`training step, ${rows} rows`, repeats, () => trainer.profileStep(), trainingWall(repeats, (steps) => trainer.train(steps, { lossEvery: steps }))),
        // One chunk of rows at most (65,536 by default), as inference runs them.
        await profiled(`inference, ${chunk} rows`, repeats, () => predictor.profile(data.x), {
          what: 'wall time per predict (upload, readback)',
          milliseconds: () => wallTime(repeats, 1, () => predictor.predict(data.x.subarray(0, chunk * architecture.inputDim))),
        }),
      ];
    } finally {
      predictor.destroy();
    }
  } finally {
    trainer.destroy();
  }
}

async function profileSavedRows(gpu: GpuContext, bytes: Uint8Array, rows: number, repeats: number) {
  const model = await loadMdn(bytes, gpu);
  try {
    const random = new Random(1);
    const x = random.fill(rows * model.architecture.inputDim, (r) => r.normal());
    const y = await model.sample(x, 1, { seed: 1 });
    return await profileRows(gpu, model.architecture, rows, repeats, { x, y });
  } finally {
    model.destroy();
  }
}

const GENERATED_STEPS = 20;

// A sequence model: `sequences` sequences of `steps` steps generated by the model (conditions zero), its training
// step over them as one batch of whole windows, and one step of generating `count` sequences.
async function profileSavedSequences(gpu: GpuContext, bytes: Uint8Array, o: { sequences: number; steps: number; count: number; repeats: number }) {
  const model = await loadSequenceMdn(bytes, gpu);
  try {
    const drawn = await model.generate({ count: o.sequences, maxSteps: o.steps, seed: 1 });
    const condition = new Float32Array(model.conditionDim);
    const session = await model.trainingSession(
      drawn.sequences.map((y) => ({ y, condition })),
      { batchSize: o.sequences, window: o.steps },
    );
    const generator = await model.generator({ count: o.count, maxSteps: GENERATED_STEPS, seed: 1 });
    try {
      return [
        await profiled(`training step, ${o.sequences} sequences x ${o.steps} steps`, o.repeats, () => session.profileStep(), trainingWall(o.repeats, (steps) => session.train(steps))),
        await profiled(`generated step, ${o.count} sequences`, o.repeats, () => generator.profileStep(), {
          what: `wall time per step (${GENERATED_STEPS} in one submit, read back)`,
          milliseconds: () => wallTime(o.repeats, GENERATED_STEPS, () => generator.run()),
        }),
      ];
    } finally {
      generator.destroy();
      session.destroy();
    }
  } finally {
    model.destroy();
  }
}

/**
 * The dispatches as the text report lists them: the passes of one stage (a walk's dispatch per time step, labelled
 * with their pass notes) as one line, their count and summed time; every other dispatch on a line of its own.
 */
export function groupDispatches(dispatches: readonly DispatchTiming[]): { label: string; count: number; milliseconds: number }[] {
  const groups: { label: string; count: number; milliseconds: number; passes: boolean }[] = [];
  for (const d of dispatches) {
    const pass = passOf(d.label);
    const last = groups[groups.length - 1];
    // The next pass of the stage the last line holds (a stage's first pass starts a line of its own).
    if (pass && last?.passes && last.label === pass.base && pass.pass === last.count + 1) {
      last.count++;
      last.milliseconds += d.milliseconds;
    } else groups.push({ label: pass?.base ?? d.label, count: 1, milliseconds: d.milliseconds, passes: pass !== null });
  }
  return groups.map(({ label, count, milliseconds }) => ({ label, count, milliseconds }));
}

export async function profile(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('profile', PROFILE_USAGE, argv, OPTIONS);
  const option = (name: keyof typeof OPTIONS, most: number) => integerOption(name, values[name] as string, 1, most);
  const rows = option('rows', 1_000_000);
  const repeats = option('repeats', 10_000);
  const sequenceOptions = { sequences: option('sequences', 65_536), steps: option('steps', 10_000), count: option('count', 65_536), repeats };
  const path = values.model as string | undefined;
  const bytes = path === undefined ? undefined : new Uint8Array(await readFile(path).catch((error) => Promise.reject(new MixdenError(`--model ${path}: ${(error as Error).message}`))));
  const decoded = bytes && decodeModel(bytes);
  const gpu = await nodeGpu();
  try {
    if (!gpu.hasTimestamps) throw new MixdenError(`the adapter ${gpu.adapterDescription} offers no timestamp-query, so there is nothing to profile with`);
    let programs: ProfiledProgram[];
    let model: string;
    if (!bytes || !decoded) {
      model = `the inverse-sine model (${describeArchitecture(INVERSE_SINE_ARCHITECTURE)})`;
      const data = inverseSine(rows, 0);
      programs = await profileRows(gpu, INVERSE_SINE_ARCHITECTURE, rows, repeats, { x: standardize(data.x, rows, 1).values, y: standardize(data.y, rows, 1).values });
    } else {
      model = `${path} (${describeArchitecture(decoded.architecture)})`;
      programs = decoded.architecture.sequence ? await profileSavedSequences(gpu, bytes, sequenceOptions) : await profileSavedRows(gpu, bytes, rows, repeats);
    }
    if (values.json) {
      console.log(JSON.stringify({ adapter: gpu.adapterDescription, model, repeats, programs }));
      return;
    }
    console.log(`adapter: ${gpu.adapterDescription}\nmodel: ${model}\nGPU time of each dispatch, median of ${repeats} runs (xN: a stage's N passes, such as a walk's dispatch per step, summed)`);
    for (const program of programs) {
      console.log(`${program.what}:`);
      for (const g of groupDispatches(program.dispatches)) console.log(`  ${`${g.label}${g.count > 1 ? ` x${g.count}` : ''}`.padEnd(56)} ${g.milliseconds.toFixed(3).padStart(9)} ms`);
      console.log(`  ${'total'.padEnd(56)} ${program.totalMilliseconds.toFixed(3).padStart(9)} ms`);
      console.log(`  ${program.wallWhat.padEnd(56)} ${program.wallMilliseconds.toFixed(3).padStart(9)} ms`);
    }
  } finally {
    gpu.destroy();
  }
}
