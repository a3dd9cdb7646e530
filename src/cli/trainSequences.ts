// `mixden train --sequence COL`: fits a sequence MDN (by default an LSTM trunk) to the sequences of a CSV file,
// one row per step, a sequence's rows together in step order; reports held-out NLL per step; saves the model
// with its columns, condition encoding and stop rule for `mixden generate`.
import { cwd } from 'node:process';
import { tmpdir } from 'node:os';
import { nodeGpu, vulkanDriver } from '../host/node.js';
import { checkOutputPath, writeWithFallback } from '../host/atomicFile.js';
import { MixdenError, InvalidArgumentError } from '../runtime/errors.js';
import { type ConditionColumn, conditionWidth, sequencesFromTable } from '../mdn/data/sequenceTable.js';
import { splitIndices } from '../mdn/data/split.js';
import { createSequenceMdn } from '../mdn/sequence/sequenceMdn.js';
import { SIGMA_ACTIVATIONS, type SigmaActivation } from '../mdn/architecture.js';
import { INIT_SCHEMES, LAYER_TEXT_FORMS, layersFromText } from '../mdn/layers/index.js';
import { HEAD_FAMILIES, type HeadFamilyName } from '../mdn/heads/index.js';
import { integerOption, numberOption, parseCommandArgs, seedOption } from './args.js';
import { columnList } from './modelData.js';
import { choice, degreesOfFreedomOption, positiveInteger, sideOutputOptions } from './trainingRun.js';
import { progressReporter } from './progress.js';
import { type SequenceModelData, readCsvTable, stopOption } from './sequenceData.js';

export const TRAIN_SEQUENCE_USAGE = `train --sequence COL --data file.csv --y colA,colB [--bernoulli colC] [--categorical colD:C] [--condition colE,colF]
        [--test test.csv | --test-fraction 0.1] [--layers lstm:64 (${LAYER_TEXT_FORMS.join(',')})]
        [--family ${HEAD_FAMILIES.join('|')}] [--components 5] [--sigma softplus] [--stop col=value]
        [--steps 1000 | --epochs N] [--batch 32] [--window STEPS [--stateful]] [--lr 0.003] [--clip 1] [--seed 1] [--init ${INIT_SCHEMES.join('|')}]
        [--out model.mixden] [--json]`;

const OPTIONS = {
  sequence: { type: 'string' },
  data: { type: 'string' },
  y: { type: 'string' },
  bernoulli: { type: 'string' },
  categorical: { type: 'string' },
  condition: { type: 'string' },
  test: { type: 'string' },
  'test-fraction': { type: 'string' },
  layers: { type: 'string', default: 'lstm:64' },
  family: { type: 'string', default: 'gaussian' },
  'degrees-of-freedom': { type: 'string' },
  components: { type: 'string', default: '5' },
  sigma: { type: 'string', default: 'softplus' },
  stop: { type: 'string' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string', default: '32' },
  window: { type: 'string' },
  stateful: { type: 'boolean', default: false },
  lr: { type: 'string', default: '0.003' },
  clip: { type: 'string', default: '1' },
  seed: { type: 'string', default: '1' },
  init: { type: 'string', default: 'glorot' },
  out: { type: 'string', default: 'model.mixden' },
  json: { type: 'boolean', default: false },
} as const;

export async function trainSequences(argv: string[]): Promise<void> {
  const { values: o } = parseCommandArgs('train', TRAIN_SEQUENCE_USAGE, argv, OPTIONS);
  const text = (k: string) => o[k] as string | undefined;
  if (!o.data) throw new MixdenError('sequence training reads --data file.csv');
  if (o.test && o['test-fraction']) throw new MixdenError('give --test or --test-fraction, not both');
  if (o.steps && o.epochs) throw new MixdenError('give --steps or --epochs, not both');
  const window = text('window') ? positiveInteger('window', text('window')!) : undefined;
  if (o.stateful && window === undefined) throw new MixdenError('--stateful carries the state from one window of a sequence to the next: give --window too');
  for (const flag of ['out']) checkOutputPath(flag, text(flag)!, [text('data'), text('test')]);
  const seed = seedOption(text('seed')!);
  const yColumns = columnList('y', text('y'));
  const sides = sideOutputOptions(text('bernoulli'), text('categorical'));
  const conditions = o.condition === undefined ? [] : columnList('condition', text('condition'));
  const targets = [...yColumns, ...sides.columns];
  const named = [text('sequence')!, ...targets, ...conditions];
  const twice = named.find((c, i) => named.indexOf(c) !== i);
  if (twice) throw new MixdenError(`column '${twice}' is named twice among --sequence, --y, --bernoulli/--categorical and --condition`);
  const columns = { sequence: text('sequence')!, targets, conditions };
  const read = async (path: string, encoding?: readonly ConditionColumn[]) => {
    try {
      return sequencesFromTable(await readCsvTable(path), columns, encoding);
    } catch (error) {
      if (error instanceof MixdenError && !(error.message.startsWith(path))) throw new MixdenError(`${path}: ${error.message}`);
      throw error;
    }
  };
  const all = await read(text('data')!);
  let train = all.sequences;
  let test;
  if (o.test) test = (await read(text('test')!, all.encoding)).sequences;
  else {
    const parts = splitIndices(all.sequences.length, numberOption('test-fraction', text('test-fraction') ?? '0.1', 0, 1), seed);
    train = parts.train.map((i) => all.sequences[i]);
    test = parts.test.map((i) => all.sequences[i]);
  }
  const family = choice('family', text('family')!, HEAD_FAMILIES as readonly HeadFamilyName[]);
  let layers;
  try {
    layers = layersFromText(text('layers')!);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new MixdenError(`--layers: ${error.message}`);
    throw error;
  }
  const stop = stopOption(text('stop'), targets);
  const batchSize = positiveInteger('batch', text('batch')!);
  const log = o.json ? () => {} : (line: string) => console.error(line);
  const gpu = await nodeGpu();
  try {
    log(`mixden: WebGPU adapter ${gpu.adapterDescription}; Vulkan driver: ${vulkanDriver().reason}`);
    const model = await createSequenceMdn({
      outputDim: yColumns.length,
      conditionDim: conditionWidth(all.encoding),
      layers,
      family,
      ...degreesOfFreedomOption(family, text('degrees-of-freedom')),
      ...(sides.specs.length ? { sideOutputs: sides.specs } : {}),
      components: positiveInteger('components', text('components')!),
      sigma: choice<SigmaActivation>('sigma', text('sigma')!, SIGMA_ACTIVATIONS),
      init: choice('init', text('init')!, INIT_SCHEMES),
      seed,
      gpu,
    });
    try {
      // Training items: every sequence's windows (one each without --window).
      const windows = Math.max(1, window === undefined ? train.length : train.reduce((n, s) => n + Math.ceil(s.y.length / model.stepWidth / window), 0));
      const batch = Math.min(batchSize, windows);
      const steps = o.epochs ? integerOption('epochs', text('epochs')!, 1, 1e6) * Math.floor(windows / batch) : o.steps ? integerOption('steps', text('steps')!, 1, 1e7) : 1000;
      log(`training on ${train.length} sequences of ${text('data')}, testing on ${test.length}: y = ${targets.join(', ')}${conditions.length ? `; condition ${conditions.join(', ')}` : ''}`);
      const progress = progressReporter();
      const started = performance.now();
      const result = await model.fit(train, {
        steps,
        batchSize: batch,
        learningRate: numberOption('lr', text('lr')!, 0, 10, true),
        clipNorm: numberOption('clip', text('clip')!, 0, 1e6, true),
        seed,
        ...(window === undefined ? {} : { window, stateful: o.stateful === true }),
        evaluateEvery: Math.max(1, Math.min(100, Math.ceil(steps / 50))),
        onProgress: (p) => progress.update(p.step, steps, `loss ${p.loss.toFixed(4)} nats per step`),
      });
      progress.done();
      const seconds = (performance.now() - started) / 1000;
      const trainNll = await model.evaluate(train);
      const testNll = await model.evaluate(test);
      const metadata: SequenceModelData = { kind: 'sequence', sequenceColumn: columns.sequence, yColumns, sideColumns: sides.columns, conditions: all.encoding, ...(stop ? { stop } : {}) };
      const saved = writeWithFallback(text('out')!, await model.save(metadata), [cwd(), tmpdir()]);
      if (saved.failure) console.error(`mixden: ${saved.failure}; the trained model was saved to ${saved.path} instead`);
      const summary = { trainNll, testNll, steps, seconds, dispatchesPerStep: result.dispatchesPerStep, device: gpu.adapterDescription, out: saved.path };
      if (o.json) console.log(JSON.stringify(summary));
      else {
        console.log(`train NLL ${trainNll.toFixed(4)}, test NLL ${testNll.toFixed(4)} nats per step`);
        console.log(`${steps} steps in ${seconds.toFixed(1)} s (${result.dispatchesPerStep} dispatches per step); model saved to ${saved.path}`);
      }
    } finally {
      model.destroy();
    }
  } finally {
    gpu.destroy();
  }
}
