// The sequence benchmark on one host: each system trains the workload (steps per second, median of runs) and
// generates 256 sequences of 100 steps (seconds, median of runs), measured alike; ratios against mixden.
import { repeat, seconds, type Stat } from '../measure.js';
import { SEQUENCE_WORKLOAD, type SequenceBenchSystem, sequenceBenchData } from './workload.js';

export interface SequenceFigures {
  readonly system: string;
  readonly skipped?: string;
  readonly trainStepsPerSecond?: Stat;
  readonly generateSeconds?: Stat;
  readonly dispatchesPerStep?: number | null;
  readonly finalLoss?: number;
}

export async function measureSequenceSystems(systems: readonly SequenceBenchSystem[], quick: boolean, log: (line: string) => void): Promise<SequenceFigures[]> {
  const sequences = sequenceBenchData();
  const figures: SequenceFigures[] = [];
  for (const system of systems) {
    if (!(await system.available())) {
      figures.push({ system: system.name, skipped: 'backend not available here' });
      log(`  sequence     ${system.name.padEnd(12)} skipped`);
      continue;
    }
    const started = Date.now();
    const model = await system.create(sequences);
    try {
      await model.train(2); // compile, allocate
      const one = await seconds(() => model.train(1));
      const steps = Math.max(1, Math.min(quick ? 10 : 200, Math.round((quick ? 2 : 10) / one)));
      let finalLoss = NaN;
      const trainStepsPerSecond = await repeat(async () => steps / (await seconds(async () => (finalLoss = await model.train(steps)))), quick ? 1 : 3, quick ? 20 : 300);
      await model.generate(); // compile
      const generateSeconds = await repeat(() => seconds(() => model.generate()), quick ? 1 : 3, quick ? 30 : 300);
      const dispatchesPerStep = await model.dispatchesPerStep();
      figures.push({ system: system.name, trainStepsPerSecond, generateSeconds, dispatchesPerStep, finalLoss });
      log(`  sequence     ${system.name.padEnd(12)} ${trainStepsPerSecond.median.toPrecision(3)} steps/s, generation ${generateSeconds.median.toPrecision(3)} s  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    } finally {
      model.dispose();
    }
  }
  return figures;
}

/** The table: each system's figures and mixden's ratio over it (training: steps/s; generation: time). */
export function formatSequenceTable(figures: readonly SequenceFigures[]): string {
  const mixden = figures.find((f) => f.system === 'mixden');
  const w = SEQUENCE_WORKLOAD;
  const lines = [
    `sequence workload: LSTM ${w.units}, ${w.steps} steps, batch ${w.batch}, gaussian-full K=${w.components} + ${w.penClasses}-way pen; generation ${w.generate.count} x ${w.generate.steps} steps`,
    'system        train steps/s (min-max)     mixden x   generate s (min-max)     mixden x   dispatches/step',
  ];
  for (const f of figures) {
    if (f.skipped) {
      lines.push(`${f.system.padEnd(13)} skipped: ${f.skipped}`);
      continue;
    }
    const t = f.trainStepsPerSecond!;
    const g = f.generateSeconds!;
    const trainRatio = mixden?.trainStepsPerSecond ? (mixden.trainStepsPerSecond.median / t.median).toFixed(2) : '-';
    const generateRatio = mixden?.generateSeconds ? (g.median / mixden.generateSeconds.median).toFixed(2) : '-';
    lines.push(
      `${f.system.padEnd(13)} ${`${t.median.toPrecision(3)} (${t.min.toPrecision(3)}-${t.max.toPrecision(3)})`.padEnd(27)} ${trainRatio.padEnd(10)} ${`${g.median.toPrecision(3)} (${g.min.toPrecision(3)}-${g.max.toPrecision(3)})`.padEnd(24)} ${generateRatio.padEnd(10)} ${f.dispatchesPerStep ?? '-'}`,
    );
  }
  return lines.join('\n');
}
