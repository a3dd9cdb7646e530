// `mixden train-seed`: trains the inverse-sine problem on the GPU and prints progress and the result.
import { integerOption, parseCommandArgs, seedOption } from './args.js';
import { nodeGpu, vulkanDriver } from '../host/node.js';
import { trainInverseSine } from '../mdn/inverseSineJob.js';

export const TRAIN_SEED_USAGE = 'train-seed [--steps 3000] [--seed 0] [--json]';

export async function trainSeed(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('train-seed', TRAIN_SEED_USAGE, argv, {
    steps: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  });
  const steps = integerOption('steps', values.steps as string, 1, 1e7);
  const seed = seedOption(values.seed as string);
  const gpu = await nodeGpu();
  const log = values.json ? () => {} : (line: string) => console.log(line);
  try {
    log(`mixden: WebGPU adapter ${gpu.adapterDescription}; Vulkan driver: ${vulkanDriver().reason}`);
    log(`training the inverse-sine MDN: 1000 points, 24 sigmoid hidden units, 24 components, exp σ, Adam lr 0.01, ${steps} steps`);
    const result = await trainInverseSine(gpu, {
      steps,
      seed,
      onProgress: (r) => log(`  step ${String(r.step).padStart(5)}  NLL ${r.nll.toFixed(4)} nats`),
    });
    const summary = {
      nll: result.nll,
      steps: result.steps,
      seconds: result.seconds,
      stepsPerSecond: result.steps / result.seconds,
      dispatchesPerStep: result.dispatchesPerStep,
      device: gpu.adapterDescription,
    };
    if (values.json) console.log(JSON.stringify(summary));
    else {
      log(`final mean NLL ${result.nll.toFixed(4)} nats per sample (original units of y; the generating density scores about 1.33)`);
      log(`${result.steps} steps in ${result.seconds.toFixed(1)} s: ${summary.stepsPerSecond.toFixed(1)} steps/s, ${result.dispatchesPerStep} dispatches per step`);
    }
  } finally {
    gpu.destroy();
  }
}
