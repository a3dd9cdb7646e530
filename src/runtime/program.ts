// The scheduler: a Program is a fixed list of dispatches (pipeline, bind group, workgroup counts) built once.
// Static uniforms of every dispatch live in one buffer written at build time; values that change per step
// (learning rate, step count) are read through a dynamic offset into a ring the caller writes once per submit.
import type { GpuContext } from './device.js';
import type { CompiledKernel, Workgroups } from './kernel.js';
import { packUniforms, uniformByteSize } from './uniforms.js';
import type { BindingDecl, KernelResources } from './bindings.js';
import { DeviceLimitError } from './errors.js';
import { debugEnabled } from './debug.js';

export type Resource = GPUBuffer | GPUBufferBinding;

/**
 * Part of a resource, `length` floats from float `offset` (which must keep the binding on the device's storage
 * offset alignment, 64 floats on every adapter this runs on).
 */
export function subRange(resource: Resource, offset: number, length: number): GPUBufferBinding {
  const whole = 'buffer' in resource ? resource : { buffer: resource, offset: 0 };
  return { buffer: whole.buffer, offset: (whole.offset ?? 0) + offset * 4, size: Math.max(4, length * 4) };
}

interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: Workgroups;
  readonly dynamic: boolean;
}

interface PendingDispatch {
  kernel: CompiledKernel<unknown, unknown>;
  resources: Readonly<Record<string, Resource>>;
  uniforms: Readonly<Record<string, number>>;
  workgroups: Workgroups;
  note?: string;
}

/** The note of dispatch `pass` (from 0) of a stage of `passes` (ProgramBuilder.add's `note`). */
export const passNote = (pass: number, passes: number): string => `(pass ${pass + 1} of ${passes})`;

/** A dispatch label's pass note read back: the label without it, and which pass (from 1) of how many; null where it has none. */
export function passOf(label: string): { base: string; pass: number; passes: number } | null {
  const match = / \(pass (\d+) of (\d+)\)$/.exec(label);
  return match ? { base: label.slice(0, match.index), pass: Number(match[1]), passes: Number(match[2]) } : null;
}

export class ProgramBuilder {
  private readonly pending: PendingDispatch[] = [];

  constructor(private readonly gpu: GpuContext, private readonly label: string) {}

  /**
   * Appends a dispatch of `kernel` over `sizes`, reading and writing the named resources; `note` is added to its
   * label (e.g. which pass of a stage it is).
   * @example
   * builder.add(forwardKernel, { input: x, weights: arena.binding('layer0'), output: h }, { rows, inner, cols });
   */
  add<V, S, B extends BindingDecl>(kernel: CompiledKernel<V, S, B>, resources: KernelResources<B, Resource>, sizes: S, note?: string): this {
    const plan = kernel.definition.plan(sizes, kernel.variant);
    // A plan of no workgroups has nothing to do at these sizes (e.g. a split-K sum over one slice): no dispatch.
    if (plan.workgroups.some((count) => count === 0)) return this;
    const max = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    for (const count of plan.workgroups) {
      if (count > max) {
        throw new DeviceLimitError(`${kernel.label}: ${count} workgroups asked in one dimension, device allows ${max}`);
      }
    }
    this.pending.push({ kernel: kernel as unknown as CompiledKernel<unknown, unknown>, resources: resources as Readonly<Record<string, Resource>>, uniforms: plan.uniforms, workgroups: plan.workgroups, note });
    return this;
  }

  /** Creates the uniform buffer and bind groups; nothing is allocated when the program is later encoded. */
  build(): Program {
    const device = this.gpu.device;
    const align = this.gpu.limits.minUniformBufferOffsetAlignment;
    const slots: { index: number; offset: number; size: number }[] = [];
    let bytes = 0;
    for (const [index, p] of this.pending.entries()) {
      const u = p.kernel.bindings.find((b) => b.kind === 'uniform' && !b.dynamicOffset);
      if (u && u.kind === 'uniform') {
        slots.push({ index, offset: bytes, size: uniformByteSize(u.struct) });
        bytes += Math.ceil(uniformByteSize(u.struct) / align) * align;
      }
    }
    const uniformBuffer = device.createBuffer({
      label: `${this.label} uniforms`,
      size: Math.max(16, bytes),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const staging = new DataView(new ArrayBuffer(Math.max(16, bytes)));
    const dispatches = this.pending.map((p, index): Dispatch => {
      const slot = slots.find((s) => s.index === index);
      let dynamic = false;
      const entries = p.kernel.bindings.map((b, binding): GPUBindGroupEntry => {
        if (b.kind === 'uniform' && !b.dynamicOffset) {
          packUniforms(b.struct, p.uniforms, staging, slot!.offset);
          return { binding, resource: { buffer: uniformBuffer, offset: slot!.offset, size: slot!.size } };
        }
        const resource = p.resources[b.name];
        if (!resource) throw new Error(`${p.kernel.label}: no resource given for binding '${b.name}'`);
        if (b.kind === 'uniform') dynamic = true;
        return { binding, resource: 'buffer' in resource ? resource : { buffer: resource } };
      });
      const label = `${this.label}/${p.kernel.label}${p.note ? ` ${p.note}` : ''}`;
      const bindGroup = device.createBindGroup({ label, layout: p.kernel.layout, entries });
      return { label, pipeline: p.kernel.pipeline, bindGroup, workgroups: p.workgroups, dynamic };
    });
    device.queue.writeBuffer(uniformBuffer, 0, staging.buffer);
    const program = new Program(this.label, dispatches, uniformBuffer);
    if (debugEnabled('dispatches')) console.log(program.describe());
    return program;
  }
}

export class Program {
  constructor(
    readonly label: string,
    private readonly dispatches: readonly Dispatch[],
    private readonly uniformBuffer: GPUBuffer,
  ) {}

  /** Bytes of the program's uniform buffer. */
  get byteSize(): number {
    return this.uniformBuffer.size;
  }

  get dispatchCount(): number {
    return this.dispatches.length;
  }

  /** Labels of the dispatches, in order. */
  get dispatchLabels(): string[] {
    return this.dispatches.map((d) => d.label);
  }

  /** Records every dispatch into an open compute pass; `dynamicOffset` selects the per-step ring slot. */
  encode(pass: GPUComputePassEncoder, dynamicOffset = 0): void {
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      if (d.dynamic) pass.setBindGroup(0, d.bindGroup, [dynamicOffset]);
      else pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }

  /** Records each dispatch in a pass of its own, with timestamps before and after, for profiling. */
  encodeTimed(encoder: GPUCommandEncoder, querySet: GPUQuerySet, firstQuery: number, dynamicOffset = 0): number {
    let query = firstQuery;
    for (const d of this.dispatches) {
      const pass = encoder.beginComputePass({
        label: d.label,
        timestampWrites: { querySet, beginningOfPassWriteIndex: query, endOfPassWriteIndex: query + 1 },
      });
      pass.setPipeline(d.pipeline);
      if (d.dynamic) pass.setBindGroup(0, d.bindGroup, [dynamicOffset]);
      else pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
      pass.end();
      query += 2;
    }
    return query;
  }

  /** A readable listing of the dispatches, printed by MIXDEN_DEBUG=dispatches. */
  describe(): string {
    const lines = this.dispatches.map((d, i) => `  ${String(i + 1).padStart(2)}. ${d.label} ${d.workgroups.join('x')}`);
    return `${this.label}: ${this.dispatches.length} dispatches\n${lines.join('\n')}`;
  }

  destroy(): void {
    this.uniformBuffer.destroy();
  }
}
