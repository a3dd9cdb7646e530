// `mixden train`: fits an MDN to columns of a CSV file (or a built-in problem) on the GPU, reports NLLs in the
// original units and saves the model with its columns and scalers.
import { writeFileSync } from 'node:fs';
import { nodeGpu } from '../host/node.js';
import type { ModelData } from './modelData.js';
import { DATA_USAGE, prepareRun, trainRun } from './trainingRun.js';

export const TRAIN_USAGE = `train ${DATA_USAGE}
        [--out model.mixden] [--json]`;

export async function train(argv: string[]): Promise<void> {
  const { run, values } = await prepareRun(argv, { out: { type: 'string', default: 'model.mixden' } });
  const out = values.out as string;
  const log = run.json ? () => {} : (line: string) => console.log(line);
  const gpu = await nodeGpu();
  try {
    const { model, result, trainNll, testNll, seconds } = await trainRun(gpu, run, log);
    const metadata: ModelData = { xColumns: run.xColumns, yColumns: run.yColumns, xScaler: run.xScaler, yScaler: run.yScaler };
    model.metadata = metadata;
    writeFileSync(out, await model.save());
    model.destroy();
    const summary = { trainNll, testNll, steps: result.steps, seconds, device: gpu.adapterDescription, out };
    if (run.json) console.log(JSON.stringify(summary));
    else {
      log(`train NLL ${trainNll.toFixed(4)}, test NLL ${testNll.toFixed(4)} nats per row (original units of y)`);
      log(`${result.steps} steps in ${seconds.toFixed(1)} s; model saved to ${out}`);
    }
  } finally {
    gpu.destroy();
  }
}
