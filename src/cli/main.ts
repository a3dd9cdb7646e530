// Command-line entry (bin/mixden.js). Each command is one module with its usage and its run function; this
// file dispatches, prints help and the version, and turns errors into a message and an exit code.
import { readFileSync } from 'node:fs';
import { MixdenError } from '../runtime/errors.js';
import { nearest } from '../mdn/arguments.js';
import { HelpShown, parseCommandArgs } from './args.js';
import { trainSeed, TRAIN_SEED_USAGE } from './trainSeed.js';
import { profile, PROFILE_USAGE } from './profile.js';
import { TRAIN_USAGE, train } from './train.js';
import { PREDICT_USAGE, predict } from './predict.js';
import { REPORT_USAGE, report } from './report.js';
import { DATASET_USAGE, dataset } from './dataset.js';
import { GENERATE_USAGE, generate } from './generate.js';
import { EXPORT_USAGE, exportModel } from './export.js';

const SERVE_USAGE = `serve-example   (in the environment: MODEL=model.mixden PORT=8080, and optionally
        SERVICE_LIMITS='{"bodyMilliseconds": 5000, ...}' to change the limits of examples/http-service.mjs)`;

// Starts examples/http-service.mjs; MODEL, PORT and SERVICE_LIMITS from the environment.
async function serveExample(argv: string[]): Promise<void> {
  parseCommandArgs('serve-example', SERVE_USAGE, argv, {});
  const { startService, LIMITS } = await import(new URL('../../examples/http-service.mjs', import.meta.url).href);
  let limits = LIMITS;
  if (process.env.SERVICE_LIMITS) {
    try {
      limits = { ...LIMITS, ...JSON.parse(process.env.SERVICE_LIMITS) };
    } catch {
      throw new MixdenError('SERVICE_LIMITS must be a JSON object of limits');
    }
  }
  const service = await startService({ model: process.env.MODEL ?? 'model.mixden', port: Number(process.env.PORT ?? 8080), limits });
  console.log(`mixden service on http://127.0.0.1:${service.port} (POST /sample, POST /logprob)`);
  // SIGTERM or SIGINT prints the counts (served, refused, failed) and stops.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  console.log(`stats ${JSON.stringify(service.stats)}`);
  await service.close();
}

interface Command {
  readonly run: (argv: string[]) => Promise<void>;
  readonly usage: string;
  readonly summary: string;
}

const COMMANDS: Record<string, Command> = {
  train: { run: train, usage: TRAIN_USAGE, summary: 'fit an MDN to columns of a CSV file (or a built-in problem; --sequence: to its sequences) and save it' },
  generate: { run: generate, usage: GENERATE_USAGE, summary: 'draw new sequences from a sequence model, as CSV and a picture' },
  predict: { run: predict, usage: PREDICT_USAGE, summary: 'mean, sd, quantiles, mode, samples or the mixture of each row, in original units' },
  report: { run: report, usage: REPORT_USAGE, summary: 'the MDN against the standard baselines by test NLL, with a plot of p(y | x)' },
  dataset: { run: dataset, usage: DATASET_USAGE, summary: 'write a built-in problem (or the stroke sequences) as CSV' },
  export: { run: exportModel, usage: EXPORT_USAGE, summary: 'write a saved model as an ONNX graph' },
  'train-seed': { run: trainSeed, usage: TRAIN_SEED_USAGE, summary: "the engine's own check: the inverse-sine MDN on all 1000 rows" },
  profile: { run: profile, usage: PROFILE_USAGE, summary: 'GPU time of each dispatch of a training step and of inference or a generated step' },
  'serve-example': { run: serveExample, usage: SERVE_USAGE, summary: 'the HTTP example service' },
};

const version = (): string => JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const USAGE = `usage: mixden <command> [options]     (mixden <command> --help for a command's options)

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

  help [command]  this text, or a command's options;  --version  the version
Set MIXDEN_VULKAN=system|lavapipe|swiftshader to choose the Vulkan driver, MIXDEN_DEBUG=dispatches|shaders to print programs or WGSL.`;

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v' || first === 'version') {
    console.log(version());
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    console.log(topic ? `usage: mixden ${topic.usage}` : USAGE);
    return rest[0] && !topic ? 2 : 0;
  }
  if (!first) {
    console.error(USAGE);
    return 2;
  }
  const command = COMMANDS[first];
  if (!command) {
    const guess = nearest(first, Object.keys(COMMANDS));
    console.error(`mixden: unknown command '${first}'${guess ? `; did you mean '${guess}'?` : ''}\n\n${USAGE}`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof HelpShown) return 0;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`mixden ${first}: ${message}`);
    // Our own errors are the user's to fix; anything else is a bug worth its stack.
    if (!(error instanceof MixdenError) && process.env.MIXDEN_DEBUG) console.error(error);
    return 1;
  }
}
