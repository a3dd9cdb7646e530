// The predictor's GPU memory: chunk buffers, sample buffers and the per-call sampling slots, grown (never
// shrunk) to the largest call seen, and the programs built on them, kept per chunk size; steady state
// allocates nothing.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { createStorageBuffer } from '../runtime/buffers.js';
import type { Program } from '../runtime/program.js';
import { StepRing } from '../runtime/stepRing.js';
import { StagingBuffer } from '../runtime/transfer.js';
import { SampleCall } from '../shaders/mixtureSample.js';
import type { MdnArchitecture } from './architecture.js';
import { type ChunkBuffers, type PredictMode, type PredictorKernels, buildPredictProgram, chunkStorage, createChunkBuffers, destroyPredictorKernels } from './predictPrograms.js';

/** Sampling calls take rotating slots for their per-call values, so up to this many chunks can be recorded before one submit. */
const CALL_SLOTS = 256;

export class ChunkCache {
  private readonly programs = new Map<string, Program>();
  private buffers: ChunkBuffers | undefined;
  private sampleBuffers: { floats: number; samples: GPUBuffer; staging: StagingBuffer } | undefined;
  private sampleCall: StepRing | undefined;
  private nextCallSlot = 0;

  constructor(
    private readonly gpu: GpuContext,
    private readonly architecture: MdnArchitecture,
    private readonly parameters: Arena,
    private readonly kernels: PredictorKernels,
  ) {}

  // Buffers for `rows` per chunk, grown (never shrunk) as larger calls come; steady state allocates nothing.
  chunkBuffers(rows: number): ChunkBuffers {
    if (this.buffers && this.buffers.rows >= rows) return this.buffers;
    this.dropBuffers();
    this.buffers = createChunkBuffers(this.gpu, this.architecture, rows);
    return this.buffers;
  }

  private dropBuffers(): void {
    this.dropSampleBuffers();
    for (const p of this.programs.values()) p.destroy();
    this.programs.clear();
    if (this.buffers) for (const b of [...chunkStorage(this.buffers), this.buffers.staging]) b.destroy();
    this.buffers = undefined;
  }

  // Two sizes recur per mode (full chunks and the tail); past 16 programs the oldest is dropped. Dropped, not
  // destroyed: commands recorded into a caller's encoder may still use it before their submit, and a command
  // buffer keeps what it references alive until the garbage collector frees it (a few hundred bytes).
  program(mode: PredictMode | 'sample', rows: number, buffers: ChunkBuffers, samplesPerRow = 0): Program {
    const key = `${mode} ${rows} ${samplesPerRow}`;
    let program = this.programs.get(key);
    if (!program) {
      if (this.programs.size >= 16) {
        const [oldest] = this.programs.keys();
        this.programs.delete(oldest);
      }
      const samples = mode === 'sample' ? { buffer: this.sampleBuffers!.samples, call: (this.sampleCall ??= new StepRing(this.gpu, SampleCall, CALL_SLOTS, 'sample calls')), samplesPerRow } : undefined;
      program = buildPredictProgram(this.gpu, this.architecture, this.parameters, this.kernels, mode, rows, buffers, samples);
      this.programs.set(key, program);
    }
    return program;
  }
  // Sample output buffers of at least `floats` values, grown as calls need; programs that bound smaller ones go.
  samplesFor(floats: number): { floats: number; samples: GPUBuffer; staging: StagingBuffer } {
    if (this.sampleBuffers && this.sampleBuffers.floats >= floats) return this.sampleBuffers;
    this.dropSampleBuffers();
    this.sampleBuffers = {
      floats,
      samples: createStorageBuffer(this.gpu, 'samples', floats),
      staging: new StagingBuffer(this.gpu, 'samples readback', floats),
    };
    return this.sampleBuffers;
  }

  private dropSampleBuffers(): void {
    for (const [key, program] of this.programs) {
      if (key.startsWith('sample')) {
        program.destroy();
        this.programs.delete(key);
      }
    }
    this.sampleBuffers?.samples.destroy();
    this.sampleBuffers?.staging.destroy();
    this.sampleBuffers = undefined;
  }

  // Per-call sampling values in the next rotating slot; returns the slot's dynamic offset.
  callSlot(values: { temperature: number; sigmaTemperature: number; seed: number; rowOffset: number }): number {
    this.sampleCall ??= new StepRing(this.gpu, SampleCall, CALL_SLOTS, 'sample calls');
    const slot = this.nextCallSlot++ % CALL_SLOTS;
    this.sampleCall.writeSlot(this.gpu.device.queue, slot, values);
    return this.sampleCall.offset(slot);
  }

  /** Bytes of GPU memory these hold (not counting the parameters it reads). */
  get gpuBytes(): number {
    const sampling = this.sampleBuffers ? this.sampleBuffers.samples.size + this.sampleBuffers.staging.byteSize : 0;
    return sampling + (this.buffers ? chunkStorage(this.buffers).reduce((sum, b) => sum + b.size, 0) + this.buffers.staging.byteSize : 0);
  }

  /** Frees every buffer, ring and program here, and the kernels' scaling columns. */
  destroy(): void {
    this.dropBuffers();
    destroyPredictorKernels(this.kernels);
    this.sampleCall?.destroy();
    this.sampleCall = undefined;
  }
}
