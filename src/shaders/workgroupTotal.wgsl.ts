// A one-barrier workgroup sum: every invocation stores its share, then invocation 0 adds them serially.
// A tree of barriers is the textbook way, but barriers are what a software adapter pays most for.

/** Declares `shares` and `fn workgroupTotal(share, lane) -> f32` (the total is valid in lane 0 only). */
export function workgroupTotalWgsl(size: number): string {
  return `
var<workgroup> shares: array<f32, ${size}>;

fn workgroupTotal(share: f32, lane: u32) -> f32 {
  shares[lane] = share;
  workgroupBarrier();
  var total = 0.0;
  if (lane == 0u) {
    for (var j = 0u; j < ${size}u; j++) {
      total += shares[j];
    }
  }
  return total;
}`;
}
