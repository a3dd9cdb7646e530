// `mixden export`: a saved model in another engine's format. Today ONNX (standard operators, opset 17), for
// ONNX Runtime in Node, the browser or Python.
import { readFileSync } from 'node:fs';
import { exportOnnx } from '../mdn/onnx/exportOnnx.js';
import { MixdenError } from '../runtime/errors.js';
import { checkOutputPath, writeFileAtomic } from '../host/atomicFile.js';
import { parseCommandArgs } from './args.js';

export const EXPORT_USAGE = `export --model model.mixden --format onnx --out model.onnx [--output mixture|log-prob]
    Writes the model as an ONNX graph: --output mixture (the default) takes x [rows, inputDim] and gives pi,
    mu, sigma (and lower for gaussian-full) in original units; --output log-prob takes x and y and gives
    log_prob [rows], nats.`;

export async function exportModel(argv: string[]): Promise<void> {
  const { values: o } = parseCommandArgs('export', EXPORT_USAGE, argv, {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    output: { type: 'string', default: 'mixture' },
  });
  if (!o.model || !o.out) throw new MixdenError('give --model model.mixden and --out file');
  if (o.format !== 'onnx') throw new MixdenError(`--format must be onnx${o.format === undefined ? '' : `, got '${o.format}'`}`);
  if (o.output !== 'mixture' && o.output !== 'log-prob') throw new MixdenError(`--output must be mixture or log-prob, got '${o.output}'`);
  checkOutputPath('out', o.out as string, [o.model as string]);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(o.model as string);
  } catch (cause) {
    throw new MixdenError(`cannot read --model ${o.model}: ${(cause as Error).message}`);
  }
  const onnx = exportOnnx(bytes, { output: o.output === 'log-prob' ? 'logProb' : 'mixture' });
  writeFileAtomic(o.out as string, onnx);
  console.log(`${o.out}: ONNX graph (${o.output}), ${onnx.length} bytes`);
}
