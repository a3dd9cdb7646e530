// Public entry point (browser and Node alike; Node's WebGPU adapter is in 'mixden/node').
export * from './runtime/index.js';
export * from './shaders/index.js';
export { type MdnArchitecture, type DenseLayerShape, denseLayers, headWidth, parameterLayout, validateArchitecture } from './mdn/architecture.js';
export { MdnTrainer, type TrainerOptions, type LossRecord } from './mdn/trainer.js';
export { MdnPredictor, type PredictorOptions, type SampleOptions } from './mdn/predictor.js';
export { createMdn, loadMdn, Mdn, type MdnOptions } from './mdn/model.js';
export { type FitOptions, type FitProgress, type FitResult } from './mdn/fit.js';
export { type Mixture, mixtureMean, mixtureVariance, splitMixture } from './mdn/mixture.js';
export { mixtureCdf, mixtureMode, mixtureQuantile, normalCdf } from './mdn/distribution.js';
export { ModelFormatError, encodeModel, decodeModel } from './mdn/serialization.js';
export { type OptimizerOptions, type AdamOptions, type SgdOptions, resolveOptimizer } from './mdn/optimizerOptions.js';
export { initialParameters } from './mdn/init.js';
export { inverseSine, noisySpiral, standardize, logJacobian, type Dataset, type Standardized } from './mdn/datasets.js';
export { trainInverseSine, INVERSE_SINE_ARCHITECTURE, type InverseSineOptions, type InverseSineResult } from './mdn/inverseSineJob.js';
export { Random } from './mdn/random.js';
export * as reference from './mdn/reference/index.js';
export { browserGpu } from './host/browser.js';
