// Held-out NLL of a sequence model: windows of sequences through the network time-major, the loss stage, and the
// mean over the valid steps (the training program without its backward pass and optimiser), in chunks of at most
// CHUNK windows, one loss read back per chunk. The program is built once per set of sequences (SequenceScorer).
import type { GpuContext } from '../../runtime/device.js';
import type { Arena } from '../../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../../runtime/buffers.js';
import { compileKernel } from '../../runtime/kernel.js';
import { type Program, ProgramBuilder } from '../../runtime/program.js';
import { ResourceScope, StagingBuffer, submitCommands } from '../../runtime/transfer.js';
import { maskedMean } from '../../shaders/maskedMean.js';
import { type MdnArchitecture, networkLayers, targetWidth } from '../architecture.js';
import { NetworkRecorder, createWorkspace } from '../network.js';
import { type PackedSequences, timeMajor } from './sequenceData.js';

const CHUNK = 256;

/**
 * Scores packed sequences under the parameters, built once (recorder, buffers, program) and run as often as asked:
 * fit scores its validation sequences so after every evaluation.
 */
export class SequenceScorer {
  private constructor(
    private readonly gpu: GpuContext,
    private readonly scope: ResourceScope,
    private readonly program: Program,
    private readonly packed: PackedSequences,
    private readonly count: number,
    private readonly buffers: { input: GPUBuffer; targets: GPUBuffer; mask: GPUBuffer; loss: GPUBuffer; staging: StagingBuffer },
    private readonly inputDim: number,
    private readonly width: number,
  ) {}

  static async create(gpu: GpuContext, architecture: MdnArchitecture, parameters: Arena, packed: PackedSequences): Promise<SequenceScorer> {
    const count = Math.min(CHUNK, packed.pieces);
    const steps = packed.steps;
    const rows = count * steps;
    const layers = networkLayers(architecture);
    const width = targetWidth(architecture);
    const scope = new ResourceScope();
    const buffer = (label: string, floats: number) => scope.own(createStorageBuffer(gpu, `evaluate ${label}`, floats));
    try {
      const input = buffer('inputs', rows * architecture.inputDim);
      const targets = buffer('targets', rows * width);
      const mask = buffer('mask', rows);
      const outputs = layers.map((l, i) => buffer(`layer${i} output`, rows * l.outputs));
      const workspace = createWorkspace(gpu, layers, rows, false, 'evaluate').map((b) => b.map((w) => scope.own(w)));
      const headGrad = buffer('head gradient', rows * layers[layers.length - 1].outputs);
      const sampleNll = buffer('nll', rows);
      const loss = buffer('loss', 1);
      const staging = scope.own(new StagingBuffer(gpu, 'evaluate loss', 1));
      // The forward pass and the loss only: nothing is kept for a backward pass.
      const recorder = await NetworkRecorder.create(gpu, architecture, { scoring: true });
      const builder = new ProgramBuilder(gpu, 'evaluate sequences');
      recorder.forward(builder, rows, { input, outputs, workspace }, parameters, false, steps);
      const head = outputs[outputs.length - 1];
      recorder.loss(builder, rows, { head, targets, headGrad, sampleNll });
      builder.add(await compileKernel(gpu, maskedMean, {}), { sampleNll, mask, headGrad, result: loss }, { rows, width: layers[layers.length - 1].outputs });
      const program = scope.own(builder.build());
      return new SequenceScorer(gpu, scope, program, packed, count, { input, targets, mask, loss, staging }, architecture.inputDim, width);
    } catch (error) {
      scope.destroy();
      throw error;
    }
  }

  /** Mean NLL per valid step of the sequences under the parameters as they are now, in nats. */
  async nll(): Promise<number> {
    const { packed, count, buffers } = this;
    let total = 0;
    for (let from = 0; from < packed.pieces; from += count) {
      const n = Math.min(count, packed.pieces - from);
      // A last, shorter chunk runs as a full one whose extra windows are all padding (mask 0).
      const chunk = timeMajor(packed, from, n, this.inputDim, this.width, count);
      uploadFloats(this.gpu, buffers.input, chunk.x);
      uploadFloats(this.gpu, buffers.targets, chunk.y);
      uploadFloats(this.gpu, buffers.mask, chunk.mask);
      submitCommands(this.gpu, 'evaluate sequences', (encoder) => {
        const pass = encoder.beginComputePass({ label: 'evaluate sequences' });
        this.program.encode(pass, 0);
        pass.end();
        buffers.staging.copyFrom(encoder, buffers.loss, 0, 0, 1);
      });
      const [mean] = await buffers.staging.read(0, 1);
      const valid = chunk.mask.reduce((a, b) => a + b, 0);
      total += mean * valid;
    }
    return total / packed.validSteps;
  }

  destroy(): void {
    this.scope.destroy();
  }
}

/** Mean NLL per valid step of the packed sequences under the parameters, in nats (a scorer used once). */
export async function sequenceNll(gpu: GpuContext, architecture: MdnArchitecture, parameters: Arena, packed: PackedSequences): Promise<number> {
  const scorer = await SequenceScorer.create(gpu, architecture, parameters, packed);
  try {
    return await scorer.nll();
  } finally {
    scorer.destroy();
  }
}
