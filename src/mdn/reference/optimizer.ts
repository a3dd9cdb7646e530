// Float64 reference of the optimisers, updating arrays in place exactly as the GPU kernels do.

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/** One Adam step at 1-based step `t` (decoupled weight decay when `weightDecay` > 0). */
export function adamUpdate(
  params: Float64Array,
  grads: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  t: number,
  s: AdamSettings,
): void {
  const c1 = 1 / (1 - s.beta1 ** t);
  const c2 = 1 / (1 - s.beta2 ** t);
  for (let i = 0; i < params.length; i++) {
    m[i] = s.beta1 * m[i] + (1 - s.beta1) * grads[i];
    v[i] = s.beta2 * v[i] + (1 - s.beta2) * grads[i] * grads[i];
    const update = (m[i] * c1) / (Math.sqrt(v[i] * c2) + s.epsilon);
    params[i] -= s.learningRate * (update + s.weightDecay * params[i]);
  }
}

export interface SgdSettings {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

/** One SGD step with heavy-ball momentum and L2 weight decay. */
export function sgdUpdate(params: Float64Array, grads: ArrayLike<number>, velocity: Float64Array, s: SgdSettings): void {
  for (let i = 0; i < params.length; i++) {
    velocity[i] = s.momentum * velocity[i] + grads[i] + s.weightDecay * params[i];
    params[i] -= s.learningRate * velocity[i];
  }
}
