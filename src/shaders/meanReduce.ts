// Sums a short list of partial sums in a single workgroup, in a fixed order (so results are deterministic),
// and writes sum * scale: the batch mean of the per-workgroup NLL partials.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import type { KernelDefinition } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';

const WORKGROUP = 256;

export const ReduceShape = defineUniformStruct('ReduceShape', { count: 'u32', scale: 'f32' });

export const meanReduce: KernelDefinition<Record<string, never>, { count: number; scale: number }> = {
  name: 'meanReduce',
  bindings: () => [readOnly('partialSums'), readWrite('result'), uniform('shape', ReduceShape)],
  source: () => `
var<workgroup> sums: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var sum = 0.0;
  for (var i = lid.x; i < shape.count; i += ${WORKGROUP}u) {
    sum += partialSums[i];
  }
  sums[lid.x] = sum;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride >>= 1u) {
    if (lid.x < stride) {
      sums[lid.x] += sums[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    result[0] = sums[0] * shape.scale;
  }
}
`,
  plan: (sizes) => ({ uniforms: sizes, workgroups: [1, 1, 1] }),
};
