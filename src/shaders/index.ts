export * from './activation.wgsl.js';
export * from './sigma.wgsl.js';
export { denseForward, type DenseSizes } from './denseForward.js';
export { denseInputGrad } from './denseInputGrad.js';
export { denseWeightGrad } from './denseWeightGrad.js';
export { mixtureNll, type MixtureSizes } from './mixtureNll.js';
export { meanReduce } from './meanReduce.js';
export { adam, adamStepValues, AdamStep } from './adam.js';
export { sgd, SgdStep } from './sgd.js';
