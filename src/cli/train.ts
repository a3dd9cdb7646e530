// `mixden train`: fits an MDN to columns of a CSV file (or a built-in problem) on the GPU, reports NLLs in the
// original units and saves the model, which carries its scalers and column names.
import { cwd } from 'node:process';
import { tmpdir } from 'node:os';
import { nodeGpu } from '../host/node.js';
import { writeWithFallback } from '../host/atomicFile.js';
import type { Mdn } from '../mdn/model.js';
import type { ModelData } from './modelData.js';
import { DATA_USAGE, type TrainingRun, prepareRun, trainRun } from './trainingRun.js';
import { TRAIN_SEQUENCE_USAGE, trainSequences } from './trainSequences.js';

export const TRAIN_USAGE = `train ${DATA_USAGE}
        [--out model.mixden] [--json]
  mixden ${TRAIN_SEQUENCE_USAGE}`;

/** Saves a trained model with its columns, atomically; to a fallback path if `path` fails. Returns a line saying where. */
export async function saveModel(model: Mdn, run: TrainingRun, path: string): Promise<string> {
  const metadata: ModelData = { xColumns: run.xColumns, yColumns: run.yColumns, ...(run.sideColumns.length ? { sideColumns: run.sideColumns } : {}) };
  model.metadata = metadata;
  const saved = writeWithFallback(path, await model.save(), [cwd(), tmpdir()]);
  if (saved.failure) console.error(`mixden: ${saved.failure}; the trained model was saved to ${saved.path} instead`);
  return `model saved to ${saved.path}`;
}

export async function train(argv: string[]): Promise<void> {
  if (argv.some((a) => /^--sequence(=|$)/.test(a))) return trainSequences(argv);
  const { run, values } = await prepareRun('train', TRAIN_USAGE, argv, { out: { type: 'string', default: 'model.mixden' } }, ['out']);
  const out = values.out as string;
  const log = run.json ? () => {} : (line: string) => console.log(line);
  const gpu = await nodeGpu();
  try {
    const { model, result, trainNll, testNll, seconds } = await trainRun(gpu, run, log);
    const savedLine = await saveModel(model, run, out);
    model.destroy();
    const summary = { trainNll, testNll, steps: result.steps, seconds, device: gpu.adapterDescription, out: savedLine.replace(/^model saved to /, '') };
    if (run.json) console.log(JSON.stringify(summary));
    else {
      log(`train NLL ${trainNll.toFixed(4)}, test NLL ${testNll.toFixed(4)} nats per row (original units of y)`);
      log(`${result.steps} steps in ${seconds.toFixed(1)} s; ${savedLine}`);
    }
  } finally {
    gpu.destroy();
  }
}
