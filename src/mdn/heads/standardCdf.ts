// The CDF of each location-scale family's standard density, for the distribution API and calibration on the
// CPU. Student-t's is the regularised incomplete beta function, from @stdlib.
import betainc from '@stdlib/math-base-special-betainc';
import { type ComponentShape, degreesOfFreedomOf } from '../../shaders/componentDensity.wgsl.js';
import { normalCdf } from '../normalCdf.js';

const laplaceCdf = (u: number): number => (u < 0 ? 0.5 * Math.exp(u) : 1 - 0.5 * Math.exp(-u));

// P(T <= u) = ½ I_{ν/(ν+u²)}(ν/2, ½) below 0, one minus that above.
const studentTCdf = (nu: number) => (u: number): number => {
  const tail = 0.5 * betainc(nu / (nu + u * u), nu / 2, 0.5);
  return u < 0 ? tail : 1 - tail;
};

/** P(U <= u) of the family's standard density. */
export function standardCdfOf(shape: ComponentShape): (u: number) => number {
  const family = shape.family ?? 'gaussian';
  if (family === 'gaussian') return normalCdf;
  if (family === 'laplace') return laplaceCdf;
  return studentTCdf(degreesOfFreedomOf(shape));
}
