// The loss of a batch of sequences: the mean NLL over the valid steps (mask 1; padding after a sequence's end
// is 0), and the head gradient brought from the loss stage's 1 / rows scaling to mask / valid steps, so padded
// rows contribute nothing. One workgroup: the count of valid steps is needed before any gradient is scaled.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { workgroupTotalWgsl } from './workgroupTotal.wgsl.js';

const WORKGROUP = 64;

export const MaskedMeanShape = defineUniformStruct('MaskedMeanShape', { rows: 'u32', width: 'u32' });

export const maskedMean = defineKernel<Record<string, never>, UniformValues<typeof MaskedMeanShape>>()({
  name: 'maskedMean',
  bindings: () => [readOnly('sampleNll'), readOnly('mask'), readWrite('headGrad'), readWrite('result'), uniform('shape', MaskedMeanShape)],
  source: () => `
${workgroupTotalWgsl(WORKGROUP)}
var<workgroup> validSteps: f32;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var count = 0.0;
  var nll = 0.0;
  for (var i = lid.x; i < shape.rows; i += ${WORKGROUP}u) {
    let valid = mask[i] > 0.0;
    count += select(0.0, 1.0, valid);
    nll += select(0.0, sampleNll[i], valid);
  }
  let totalCount = workgroupTotal(count, lid.x);
  if (lid.x == 0u) { validSteps = max(totalCount, 1.0); }
  // Also keeps the second total from overwriting shares lane 0 is still adding.
  workgroupBarrier();
  let total = workgroupTotal(nll, lid.x);
  if (lid.x == 0u) { result[0] = total / validSteps; }
  let factor = f32(shape.rows) / validSteps;
  for (var e = lid.x; e < shape.rows * shape.width; e += ${WORKGROUP}u) {
    headGrad[e] = select(0.0, headGrad[e] * factor, mask[e / shape.width] > 0.0);
  }
}
`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: [1, 1, 1] }),
});
