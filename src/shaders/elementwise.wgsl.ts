// The entry point of a one-invocation-per-element kernel: a flat index folded from a 2-D dispatch
// (see elementwiseWorkgroups), and an early return past `count`.

export function elementwiseEntry(workgroupSize: number, count: string, body: string): string {
  return `
@compute @workgroup_size(${workgroupSize})
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let i = (wid.x + wid.y * groups.x) * ${workgroupSize}u + lid.x;
  if (i >= ${count}) { return; }
${body}
}
`;
}
