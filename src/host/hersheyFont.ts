// The Hershey fonts in Node, read from the `hersheytext` package's JSON (installed with mixden; nothing is
// downloaded). In a page, import 'hersheytext/hersheytext.min.json' through the bundler instead.
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../runtime/errors.js';
import type { HersheyFont } from '../mdn/sequence/strokes.js';

/** A font by its key in hersheytext (default 'scripts', the single-stroke script). */
export function hersheyFont(name = 'scripts'): HersheyFont {
  const fonts = createRequire(import.meta.url)('hersheytext/hersheytext.min.json') as Record<string, HersheyFont>;
  const font = fonts[name];
  if (!font) throw new InvalidArgumentError(`hersheytext has no font '${name}'; it has ${Object.keys(fonts).join(', ')}`);
  return font;
}
