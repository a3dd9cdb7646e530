// Command-line entry (run through bin/mixden.js, which chooses the Vulkan driver first).
import { trainSeed } from './trainSeed.js';
import { profile } from './profile.js';
import { TRAIN_USAGE, train } from './train.js';
import { PREDICT_USAGE, predict } from './predict.js';
import { REPORT_USAGE, report } from './report.js';
import { DATASET_USAGE, dataset } from './dataset.js';

// Starts examples/http-service.mjs under this launcher (which chose the Vulkan driver); MODEL and PORT from the environment.
async function serveExample(): Promise<void> {
  const { startService } = await import(new URL('../../examples/http-service.mjs', import.meta.url).href);
  const service = await startService({ model: process.env.MODEL ?? 'model.mixden', port: Number(process.env.PORT ?? 8080) });
  console.log(`mixden service on http://127.0.0.1:${service.port} (POST /sample, POST /logprob)`);
  // SIGTERM prints the counts (served, refused, failed) and stops.
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  console.log(`stats ${JSON.stringify(service.stats)}`);
  await service.close();
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  'serve-example': serveExample,
  'train-seed': trainSeed,
  train,
  predict,
  report,
  dataset,
  profile,
};

const USAGE = `usage: mixden <command> [options]
  ${TRAIN_USAGE}
  ${PREDICT_USAGE}
  ${REPORT_USAGE}
  ${DATASET_USAGE}
  serve-example                                   the HTTP example (MODEL=model.mixden PORT=8080)
  train-seed [--steps 3000] [--seed 0] [--json]   train the inverse-sine MDN on the GPU
  profile [--rows 1000] [--repeats 20]             GPU time of each dispatch of one training step
Set MIXDEN_DEBUG=dispatches to print each step program, MIXDEN_DEBUG=shaders to print the WGSL.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    console.error(command && command !== '--help' ? `unknown command '${command}'\n${USAGE}` : USAGE);
    return command && command !== '--help' ? 2 : 0;
  }
  try {
    await run(rest);
    return 0;
  } catch (error) {
    console.error(`mixden ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
