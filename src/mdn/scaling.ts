// A model's own scaling of inputs and targets: which scalers (chosen at createMdn), fitted on the training rows
// of the first fit, saved in the model file, and applied on the GPU by every entry point (shaders/scaleColumns.ts),
// so the API, mixden/inference and the command line all take and return original units.
import { InvalidArgumentError } from '../runtime/errors.js';
import { type Scaler, type ScalerKind, applyScaler, fitScaler } from './data/scaler.js';

export const SCALER_KINDS: readonly ScalerKind[] = ['zscore', 'minmax', 'none'];

/** createMdn's `scale` option: one kind for x and y, or each its own (and log-transformed positive targets). */
export type ScaleOption = ScalerKind | { readonly x?: ScalerKind; readonly y?: ScalerKind; readonly logY?: boolean };

/** Which scalers a model fits at its first fit. */
export interface ScalingPlan {
  readonly x: ScalerKind;
  readonly y: ScalerKind;
  readonly logY: boolean;
}

/** Fitted scalers of a model's inputs and targets. */
export interface ModelScaling {
  readonly x: Scaler;
  readonly y: Scaler;
}

/** The plan of a `scale` option; undefined where nothing is scaled. */
export function scalingPlanOf(option: ScaleOption | undefined): ScalingPlan | undefined {
  if (option === undefined) return undefined;
  const plan = typeof option === 'string' ? { x: option, y: option, logY: false } : { x: option.x ?? 'none', y: option.y ?? 'none', logY: option.logY ?? false };
  if (typeof option === 'object' && option !== null) {
    const unknown = Object.keys(option).find((k) => !['x', 'y', 'logY'].includes(k));
    if (unknown) throw new InvalidArgumentError(`scale has no option '${unknown}'; it takes x, y and logY`);
  }
  for (const [name, kind] of [['scale.x', plan.x], ['scale.y', plan.y]] as const) {
    if (!SCALER_KINDS.includes(kind)) throw new InvalidArgumentError(`${name} must be one of ${SCALER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  if (typeof plan.logY !== 'boolean') throw new InvalidArgumentError(`scale.logY must be true or false, got ${JSON.stringify(plan.logY)}`);
  return plan.x === 'none' && plan.y === 'none' && !plan.logY ? undefined : plan;
}

/** Fits the plan's scalers to the training rows. */
export function fitScaling(plan: ScalingPlan, x: ArrayLike<number>, y: ArrayLike<number>, inputDim: number, outputDim: number): ModelScaling {
  return { x: fitScaler(x, inputDim, plan.x), y: fitScaler(y, outputDim, plan.y, { log: plan.logY }) };
}

const isIdentityScaler = (s: Scaler) => !s.log && s.shift.every((v) => v === 0) && s.scale.every((v) => v === 1);

/** True where scaling changes nothing (then no GPU work is recorded for it). */
export const isIdentityScaling = (s: ModelScaling | undefined): boolean => !s || (isIdentityScaler(s.x) && isIdentityScaler(s.y));

/** Checks scalers read from a file (or given by a caller); throws InvalidArgumentError naming the field. */
export function checkScaling(value: unknown, inputDim: number, outputDim: number): ModelScaling {
  const v = value as Partial<ModelScaling> | null;
  return { x: checkScaler('scaling.x', v?.x, inputDim), y: checkScaler('scaling.y', v?.y, outputDim) };
}

function checkScaler(name: string, s: Partial<Scaler> | undefined, columns: number): Scaler {
  if (s === null || typeof s !== 'object') throw new InvalidArgumentError(`${name} is missing`);
  if (!SCALER_KINDS.includes(s.kind as ScalerKind)) throw new InvalidArgumentError(`${name}.kind must be one of ${SCALER_KINDS.join(', ')}`);
  if (typeof s.log !== 'boolean') throw new InvalidArgumentError(`${name}.log must be true or false`);
  const numbers = (field: 'shift' | 'scale', positive: boolean) => {
    const list = s[field];
    if (!Array.isArray(list) || list.length !== columns || !list.every((n) => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < 3e38 && (!positive || n > 0))) {
      throw new InvalidArgumentError(`${name}.${field} must be ${columns} finite float32 numbers${positive ? ' > 0' : ''}`);
    }
    return [...list] as number[];
  };
  return { kind: s.kind as ScalerKind, log: s.log, shift: numbers('shift', false), scale: numbers('scale', true) };
}

/** Per-column (a, b, pre log?, post exp?) that scale original values: (pre(v) − shift) / scale. */
export function scalingColumns(s: Scaler): Float32Array {
  return Float32Array.from(s.shift.flatMap((shift, c) => [1 / s.scale[c], -shift / s.scale[c], s.log ? 1 : 0, 0]));
}

/**
 * Per-column values that take mixture parameters [π (K) | μ (K·D) | σ (K·D) | per-component values after them]
 * of scaled targets back to original units (of log y, for log-transformed targets). `extra`: for each value per
 * component after the scales, the target dimension whose scale multiplies it, or null for none (HeadFamily.extraMixtureValues).
 */
export function mixtureColumns(y: Scaler, components: number, extra: readonly (number | null)[] = []): Float32Array {
  const D = y.shift.length;
  const columns: number[] = [];
  for (let k = 0; k < components; k++) columns.push(1, 0, 0, 0);
  for (let i = 0; i < components * D; i++) columns.push(y.scale[i % D], y.shift[i % D], 0, 0);
  for (let i = 0; i < components * D; i++) columns.push(y.scale[i % D], 0, 0, 0);
  for (let k = 0; k < components; k++) for (const d of extra) columns.push(d === null ? 1 : y.scale[d], 0, 0, 0);
  return Float32Array.from(columns);
}

/** Per-column values that take samples of scaled targets to original units: post(v · scale + shift). */
export function sampleColumns(y: Scaler): Float32Array {
  return Float32Array.from(y.shift.flatMap((shift, d) => [y.scale[d], shift, 0, y.log ? 1 : 0]));
}

/** addLogJacobian's per-dimension (scale, shift, log?, 0) and constant −Σ log scale. */
export function jacobianColumns(y: Scaler): { columns: Float32Array; base: number } {
  return {
    columns: Float32Array.from(y.shift.flatMap((shift, d) => [y.scale[d], shift, y.log ? 1 : 0, 0])),
    base: -y.scale.reduce((sum, s) => sum + Math.log(s), 0),
  };
}

/** Per-column vec4 values with `count` identity columns (scale 1, shift 0, no log or exp) after them: side outputs' columns. */
export function withIdentityColumns(columns: Float32Array, count: number): Float32Array {
  if (count === 0) return columns;
  const out = new Float32Array(columns.length + 4 * count);
  out.set(columns);
  for (let c = 0; c < count; c++) out[columns.length + 4 * c] = 1;
  return out;
}

/** The first `dims` columns of rows `width` wide: the continuous targets of rows that carry side outputs' columns after them. */
export function leadingColumns(values: ArrayLike<number>, dims: number, width: number): Float64Array {
  if (dims === width) return values instanceof Float64Array ? values : Float64Array.from(values);
  return Float64Array.from({ length: (values.length / width) * dims }, (_, i) => values[Math.floor(i / dims) * width + (i % dims)]);
}

/** Target rows `width` wide with the scaler applied to their first (continuous) columns; side outputs' columns stay as they are. */
export function applyTargetScaler(s: Scaler, values: ArrayLike<number>, width: number): Float64Array {
  const dims = s.shift.length;
  if (dims === width) return applyScaler(s, values);
  const scaled = applyScaler(s, leadingColumns(values, dims, width));
  const out = Float64Array.from(values);
  for (let i = 0; i < scaled.length; i++) out[Math.floor(i / dims) * width + (i % dims)] = scaled[i];
  return out;
}
