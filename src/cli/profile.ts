// `mixden profile`: GPU time of every dispatch of one training step of the inverse-sine model, by timestamps.
import { integerOption, parseCommandArgs } from './args.js';
import { nodeGpu } from '../host/node.js';
import { MdnTrainer } from '../mdn/trainer.js';
import { INVERSE_SINE_ARCHITECTURE } from '../mdn/inverseSineJob.js';
import { inverseSine, standardize } from '../mdn/datasets.js';

export const PROFILE_USAGE = 'profile [--rows 1000] [--repeats 20]';

export async function profile(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('profile', PROFILE_USAGE, argv, { rows: { type: 'string', default: '1000' }, repeats: { type: 'string', default: '20' } });
  const rows = integerOption('rows', values.rows as string, 1, 1_000_000);
  const repeats = integerOption('repeats', values.repeats as string, 1, 10_000);
  const gpu = await nodeGpu();
  try {
    if (!gpu.hasTimestamps) throw new Error(`adapter ${gpu.adapterDescription} offers no timestamp-query`);
    const data = inverseSine(rows, 0);
    const trainer = await MdnTrainer.create(gpu, INVERSE_SINE_ARCHITECTURE, { rows, optimizer: { kind: 'adam', learningRate: 0.01 } });
    trainer.setData(standardize(data.x, rows, 1).values, standardize(data.y, rows, 1).values);
    await trainer.train(10, { lossEvery: 10 });
    const samples: number[][] = [];
    let labels: string[] = [];
    for (let i = 0; i < repeats; i++) {
      const timings = (await trainer.profileStep())!;
      labels = timings.map((t) => t.label);
      samples.push(timings.map((t) => t.milliseconds));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`adapter: ${gpu.adapterDescription}; ${rows} rows; median of ${repeats} profiled steps`);
    let total = 0;
    labels.forEach((label, i) => {
      const ms = median(samples.map((s) => s[i]));
      total += ms;
      console.log(`  ${label.padEnd(48)} ${ms.toFixed(3).padStart(8)} ms`);
    });
    console.log(`  ${'total'.padEnd(48)} ${total.toFixed(3).padStart(8)} ms`);
    trainer.destroy();
  } finally {
    gpu.destroy();
  }
}
