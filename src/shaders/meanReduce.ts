// Sums `count` values in one workgroup, in a fixed order (so results are deterministic), and writes
// sum * scale: the batch mean of the per-sample NLLs. Each invocation adds a strided share, then one
// invocation adds the 64 shares: a single barrier, since barriers are what a software adapter pays most for.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import type { KernelDefinition } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';

const WORKGROUP = 64;

export const ReduceShape = defineUniformStruct('ReduceShape', { count: 'u32', scale: 'f32' });

export const meanReduce: KernelDefinition<Record<string, never>, { count: number; scale: number }> = {
  name: 'meanReduce',
  bindings: () => [readOnly('values'), readWrite('result'), uniform('shape', ReduceShape)],
  source: () => `
var<workgroup> shares: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var share = 0.0;
  for (var i = lid.x; i < shape.count; i += ${WORKGROUP}u) {
    share += values[i];
  }
  shares[lid.x] = share;
  workgroupBarrier();
  if (lid.x == 0u) {
    var sum = 0.0;
    for (var j = 0u; j < ${WORKGROUP}u; j++) {
      sum += shares[j];
    }
    result[0] = sum * shape.scale;
  }
}
`,
  plan: (sizes) => ({ uniforms: sizes, workgroups: [1, 1, 1] }),
};
