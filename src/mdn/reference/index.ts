// The float64 CPU reference of every kernel, for tests and for checking results.
export * from './activations.js';
export * from './sigma.js';
export * from './dense.js';
export * from './layerNorm.js';
export * from './mixture.js';
export * from './optimizer.js';
export * from './network.js';
export * from './fullCovariance.js';
export * from './sideOutputs.js';
export * from './learnedStudentT.js';
export * from './vonMises.js';
