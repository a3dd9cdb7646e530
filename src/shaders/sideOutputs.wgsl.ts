// Discrete side outputs after a mixture head: Bernoulli columns (one logit each) and categorical ones (C logits
// each), read from the raw head after the family's own outputs, their targets after the D continuous targets.
// One invocation per row (per draw when sampling), after the family's kernel; the side outputs are independent
// of the continuous target given x, so they add to the family's per-row result rather than mixing with it:
//   loss:          sampleNll += Σ cross-entropy; headGrad of each side logit = gradScale · (p − onehot(y))
//   logDensity:    logDensity −= Σ cross-entropy (log p of the observed classes)
//   probabilities: params (laid out like the head) get P(y = 1) per Bernoulli, the C class probabilities per categorical
//   sample:        draws 0/1 or a class index from the logits divided by the π temperature (0: the most probable)
// Each side output's place is compiled in. Float64 reference: src/mdn/reference/sideOutputs.ts.
import { elementwiseEntry } from './elementwise.wgsl.js';
import { randomStreamWgsl } from './mixtureSample.wgsl.js';

export const SIDE_OUTPUT_WORKGROUP = 64;

export type SideOutputMode = 'loss' | 'logDensity' | 'probabilities' | 'sample';

export interface SideOutputVariant {
  readonly mode: SideOutputMode;
  /** Logits of each side output in order: 1 is a Bernoulli column, C ≥ 2 a categorical one with C classes. */
  readonly logits: readonly number[];
  /** Where the first side logit sits in a head row (the family's own width). */
  readonly headOffset: number;
  /** Where the first side target (or draw) sits in a target (or sample) row: D. */
  readonly targetOffset: number;
}

// log(1 + e^z) and the logistic function without overflow: e^{−|z|} is at most 1.
const LOGISTIC = `fn softplus(z: f32) -> f32 {
  return max(z, 0.0) + log(1.0 + exp(-abs(z)));
}

fn logistic(z: f32) -> f32 {
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
}`;

// The largest of C logits and Σ_j e^{z_j − top}: probabilities are e^{z_j − top} / sum and the cross-entropy
// (top − z_y) + log sum, never top + log sum formed first (at logits of 1e3 that sum's ulp is 6e-5).
const SOFTMAX_TERMS = `fn softmaxTerms(at: u32, C: u32) -> vec2<f32> {
  var top = head[at];
  for (var j = 1u; j < C; j++) {
    top = max(top, head[at + j]);
  }
  var sum = 0.0;
  for (var j = 0u; j < C; j++) {
    sum += exp(head[at + j] - top);
  }
  return vec2<f32>(top, sum);
}`;

// Each side output's (head column, target column, logits).
function places(v: SideOutputVariant): { column: number; target: number; classes: number }[] {
  let column = v.headOffset;
  return v.logits.map((classes, s) => {
    const place = { column, target: v.targetOffset + s, classes };
    column += classes;
    return place;
  });
}

// Σ cross-entropy of one row, and in training the gradient of each side logit.
function crossEntropyBody(v: SideOutputVariant, withGradient: boolean): string {
  const lines = ['let hb = row * shape.headStride;', 'let tb = row * shape.targetStride;', 'var total = 0.0;'];
  for (const { column, target, classes } of places(v)) {
    if (classes === 1) {
      lines.push(
        '{',
        `  let z = head[hb + ${column}u];`,
        `  let y = targets[tb + ${target}u];`,
        // −log p(y): softplus(−z) for y = 1, softplus(z) for y = 0, with no cancellation between large terms.
        '  total += softplus(select(z, -z, y > 0.5));',
        ...(withGradient ? [`  headGrad[hb + ${column}u] = shape.gradScale * (logistic(z) - y);`] : []),
        '}',
      );
    } else {
      // The class is checked on the CPU; min() keeps a bad one inside the row.
      lines.push(
        '{',
        `  let terms = softmaxTerms(hb + ${column}u, ${classes}u);`,
        `  let y = min(u32(max(targets[tb + ${target}u], 0.0)), ${classes - 1}u);`,
        `  total += (terms.x - head[hb + ${column}u + y]) + log(terms.y);`,
        ...(withGradient
          ? [`  for (var j = 0u; j < ${classes}u; j++) {`, `    headGrad[hb + ${column}u + j] = shape.gradScale * (exp(head[hb + ${column}u + j] - terms.x) / terms.y - select(0.0, 1.0, j == y));`, '  }']
          : []),
        '}',
      );
    }
  }
  return lines.join('\n  ');
}

function probabilitiesBody(v: SideOutputVariant): string {
  const lines = ['let hb = row * shape.headStride;'];
  for (const { column, classes } of places(v)) {
    if (classes === 1) lines.push(`params[hb + ${column}u] = logistic(head[hb + ${column}u]);`);
    else {
      lines.push(
        '{',
        `  let terms = softmaxTerms(hb + ${column}u, ${classes}u);`,
        `  for (var j = 0u; j < ${classes}u; j++) {`,
        `    params[hb + ${column}u + j] = exp(head[hb + ${column}u + j] - terms.x) / terms.y;`,
        '  }',
        '}',
      );
    }
  }
  return lines.join('\n  ');
}

// A draw per side output; the stream is salted apart from the continuous sampler's for the same (row, draw).
function sampleBody(v: SideOutputVariant): string {
  const lines = [
    'let row = i / shape.samplesPerRow;',
    'let j = i % shape.samplesPerRow;',
    'let hb = row * shape.headStride;',
    'let out = i * shape.sampleStride;',
    'var stream = hash(call.seed ^ hash((call.rowOffset + row) ^ hash(j * 2654435769u + 1013904223u)) ^ 0x68e31da4u);',
  ];
  for (const { column, target, classes } of places(v)) {
    if (classes === 1) {
      lines.push(
        '{',
        `  let z = head[hb + ${column}u];`,
        '  let u = nextUniform(&stream);',
        `  let p = select(select(0.0, 1.0, z > 0.0), logistic(z / call.temperature), call.temperature > 0.0);`,
        `  samples[out + ${target}u] = select(0.0, 1.0, u < p);`,
        '}',
      );
    } else {
      lines.push(`samples[out + ${target}u] = f32(drawClass(hb + ${column}u, ${classes}u, &stream));`);
    }
  }
  return lines.join('\n  ');
}

// A class from softmax(logits / temperature), the most probable at temperature 0 (the first of equals).
const DRAW_CLASS = `fn drawClass(at: u32, C: u32, stream: ptr<function, u32>) -> u32 {
  var best = 0u;
  var top = head[at];
  for (var j = 1u; j < C; j++) {
    if (head[at + j] > top) {
      top = head[at + j];
      best = j;
    }
  }
  let u = nextUniform(stream);
  if (call.temperature <= 0.0) { return best; }
  let inverseT = 1.0 / call.temperature;
  var total = 0.0;
  for (var j = 0u; j < C; j++) {
    total += exp((head[at + j] - top) * inverseT);
  }
  let threshold = u * total;
  var cumulative = 0.0;
  for (var j = 0u; j < C; j++) {
    cumulative += exp((head[at + j] - top) * inverseT);
    if (cumulative >= threshold) { return j; }
  }
  return C - 1u;
}`;

export function sideOutputsSource(v: SideOutputVariant): string {
  const categorical = v.logits.some((c) => c > 1);
  const helpers = [LOGISTIC, categorical ? SOFTMAX_TERMS : ''];
  if (v.mode === 'sample') {
    return `${helpers.join('\n\n')}\n${randomStreamWgsl}\n${categorical ? DRAW_CLASS : ''}\n${elementwiseEntry(SIDE_OUTPUT_WORKGROUP, 'shape.rows * shape.samplesPerRow', `  ${sampleBody(v)}`)}`;
  }
  const row = (body: string, result: string) => `fn sideRow(row: u32) {\n  ${body}\n  ${result}\n}`;
  const fn =
    v.mode === 'probabilities'
      ? row(probabilitiesBody(v), '')
      : row(crossEntropyBody(v, v.mode === 'loss'), v.mode === 'loss' ? 'sampleNll[row] += total;' : 'logDensity[row] -= total;');
  return `${helpers.join('\n\n')}\n\n${fn}\n${elementwiseEntry(SIDE_OUTPUT_WORKGROUP, 'shape.rows', '  sideRow(i);')}`;
}
