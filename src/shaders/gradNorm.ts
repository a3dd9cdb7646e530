// The factor that clips the gradient to a global L2 norm: clip[0] = min(1, maxNorm / ‖g‖) over the whole
// gradient arena, in one workgroup (strided sums of squares, then workgroupTotal), read by the optimiser.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import { workgroupTotalWgsl } from './workgroupTotal.wgsl.js';

const WORKGROUP = 64;

export const ClipShape = defineUniformStruct('ClipShape', { count4: 'u32', maxNorm: 'f32' });

export const gradNorm = defineKernel<Record<string, never>, { count: number; maxNorm: number }>()({
  name: 'gradNorm',
  bindings: () => [readOnly('grads', 'vec4<f32>'), readWrite('clip'), uniform('shape', ClipShape)],
  source: () => `
${workgroupTotalWgsl(WORKGROUP)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var share = 0.0;
  for (var i = lid.x; i < shape.count4; i += ${WORKGROUP}u) {
    share += dot(grads[i], grads[i]);
  }
  let norm = sqrt(workgroupTotal(share, lid.x));
  if (lid.x == 0u) {
    clip[0] = select(1.0, shape.maxNorm / norm, norm > shape.maxNorm);
  }
}
`,
  plan: ({ count, maxNorm }) => {
    if (count % 4 !== 0) throw new Error(`gradNorm: parameter count ${count} is not a multiple of 4`);
    return { uniforms: { count4: count / 4, maxNorm }, workgroups: [1, 1, 1] };
  },
});
