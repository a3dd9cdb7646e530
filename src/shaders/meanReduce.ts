// Sums `count` values in one workgroup, in a fixed order (so results are deterministic), and writes
// sum * scale: the batch mean of the per-sample NLLs. Each invocation adds a strided share; workgroupTotal adds
// the shares with a single barrier.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { workgroupTotalWgsl } from './workgroupTotal.wgsl.js';

const WORKGROUP = 64;

export const ReduceShape = defineUniformStruct('ReduceShape', { count: 'u32', scale: 'f32' });

export const meanReduce = defineKernel<Record<string, never>, UniformValues<typeof ReduceShape>>()({
  name: 'meanReduce',
  bindings: () => [readOnly('values'), readWrite('result'), uniform('shape', ReduceShape)],
  source: () => `
${workgroupTotalWgsl(WORKGROUP)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var share = 0.0;
  for (var i = lid.x; i < shape.count; i += ${WORKGROUP}u) {
    share += values[i];
  }
  let total = workgroupTotal(share, lid.x);
  if (lid.x == 0u) {
    result[0] = total * shape.scale;
  }
}
`,
  plan: (sizes) => ({ uniforms: sizes, workgroups: [1, 1, 1] }),
});
