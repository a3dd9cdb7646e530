// How the register-blocked recurrent kernels (recurrentStep.ts, recurrentBackwardStep.ts) share out their work:
// each invocation owns a block of `rows` sequences by one lane of units. In register blocks a flat index over
// (row block, unit lane) in workgroups of 16; through subgroups, every invocation of a workgroup takes the same
// rows (so one lane's load, broadcast, serves all) and its own unit lane, the workgroups past 65,535 row blocks
// folded into z. Both write `row0` (the block's first sequence), `u4` (the invocation's unit lane, clamped) and
// `ownsUnits` (false for invocations past the units: they load clamped values for the broadcasts, store nothing).
import { elementwiseWorkgroups, type Workgroups } from '../runtime/kernel.js';

/** Invocations per workgroup of the register-block variants (as the dense products'). */
export const BLOCK_WORKGROUP = 16;
/** Most invocations per workgroup of the subgroup variants. */
const MAX_LANES = 64;

/** Invocations per workgroup of a subgroup variant: enough for all unit lanes, whole subgroups, at most 64. */
export const stepLanes = (units: number, subgroupSize: number, lane: 1 | 4 = 4): number =>
  Math.min(MAX_LANES, Math.max(subgroupSize, Math.ceil(units / lane / subgroupSize) * subgroupSize));

/** A subgroup variant's shape: `rows` and `lanes` multiples of the subgroup size. */
export function checkSubgroupRows(kernel: string, rows: number, subgroupSize: number | undefined, lanes: number | undefined): void {
  if (subgroupSize !== undefined && !(rows % subgroupSize === 0 && lanes !== undefined && lanes % subgroupSize === 0)) {
    throw new Error(`${kernel}: rows ${rows} and lanes ${lanes} must be multiples of the subgroup size ${subgroupSize}`);
  }
}

/** The entry point's builtins (with the subgroup lane where subgroups share the loads). */
export const blockBuiltins = (subgroups: boolean): string => `
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,${subgroups ? '\n  @builtin(subgroup_invocation_id) lane: u32,' : ''}`;

/** `row0`, `u4` and `ownsUnits` from the builtins; `sequences` names the count of sequences, `unitGroups` of unit lanes. */
export function blockOfInvocation(rows: number, subgroupLanes: number | undefined, sequences: string): string {
  return subgroupLanes
    ? `
  let row0 = (wid.y + wid.z * groups.y) * ${rows}u;
  let own = wid.x * ${subgroupLanes}u + lid.x;
  let ownsUnits = own < unitGroups;
  let u4 = min(own, unitGroups - 1u);`
    : `
  let block = (wid.x + wid.y * groups.x) * ${BLOCK_WORKGROUP}u + lid.x;
  let row0 = (block / unitGroups) * ${rows}u;
  if (row0 >= ${sequences}) { return; }
  let ownsUnits = true;
  let u4 = block % unitGroups;`;
}

/** Workgroups for `sequences` sequences by `unitGroups` unit lanes in blocks of `rows`. */
export function blockWorkgroups(sequences: number, unitGroups: number, rows: number, subgroupLanes: number | undefined): Workgroups {
  const rowBlocks = Math.ceil(sequences / rows);
  if (!subgroupLanes) return elementwiseWorkgroups(rowBlocks * unitGroups, BLOCK_WORKGROUP);
  const down = Math.min(rowBlocks, 65_535);
  return [Math.ceil(unitGroups / subgroupLanes), down, Math.ceil(rowBlocks / down)];
}
