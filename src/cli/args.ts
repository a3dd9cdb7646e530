// Parsing a command's options: node:util's parseArgs, plus what users expect of a command line: -h/--help
// with the command's usage, "did you mean" for an unknown option, and checked numbers and seeds.
import { parseArgs } from 'node:util';
import { MixdenError } from '../runtime/errors.js';
import { nearest } from '../mdn/arguments.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/** A command's usage was asked for (-h, --help): printed, and the command ends with exit code 0. */
export class HelpShown extends Error {}

/** Parses `argv` against `options`; throws MixdenError naming an unknown option and the nearest valid one. */
export function parseCommandArgs(command: string, usage: string, argv: string[], options: OptionSpec, positionals = false) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: mixden ${usage}`);
    throw new HelpShown();
  }
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown) {
      const guess = nearest(unknown.replace(/^-+/, ''), Object.keys(options));
      throw new MixdenError(`unknown option ${unknown} for mixden ${command}${guess ? `; did you mean --${guess}?` : ''} (mixden ${command} --help lists them)`);
    }
    if (/Unexpected argument/.test(message)) throw new MixdenError(`mixden ${command} takes no argument '${/'([^']*)'/.exec(message)?.[1]}' (options start with --; mixden ${command} --help)`);
    const ambiguous = /Option '(-{1,2}[^']+)' argument is ambiguous/.exec(message)?.[1];
    if (ambiguous) throw new MixdenError(`${ambiguous} needs a value; one that starts with '-' is written ${ambiguous}=-1 (mixden ${command} --help)`);
    if (/argument missing/.test(message)) throw new MixdenError(`${message.replace(/\.$/, '')} (mixden ${command} --help)`);
    throw new MixdenError(message);
  }
}

/** An integer option in [low, high]. */
export function integerOption(flag: string, value: string, low: number, high = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < low || n > high) {
    const range = low === 1 && high === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from ${low}${high === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${high.toLocaleString('en')}`}`;
    throw new MixdenError(`--${flag} must be ${range}, got '${value}'`);
  }
  return n;
}

/** A seed option: an integer from 0 to 2^32 − 1. */
export const seedOption = (value: string): number => integerOption('seed', value, 0, 0xffffffff);

/** A number option in (low, high] or [low, high]. */
export function numberOption(flag: string, value: string, low: number, high: number, openLow = false): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (openLow ? n <= low : n < low) || n > high) {
    throw new MixdenError(`--${flag} must be a number in ${openLow ? '(' : '['}${low}, ${high}], got '${value}'`);
  }
  return n;
}
