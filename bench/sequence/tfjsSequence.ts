// TensorFlow.js in the sequence benchmark, written as a tfjs user would write the model with tf ops: the LSTM cell
// (PyTorch's and Keras' equations) unrolled over the window inside optimizer.minimize, the input product of all
// steps as one matMul, the bivariate Gaussian mixture through its Cholesky factor (log-softmax + logSumExp), the
// pen's softmax cross-entropy, tf.train.adam; generation one step at a time under tf.tidy (multinomial for the
// component and the pen, a normal draw through the factor), read back once at the end. Same sizes, data and Adam
// settings as mixden; each library starts from its own random weights (the work per step does not depend on them).
import type * as tfTypes from '@tensorflow/tfjs-core';
import { SEQUENCE_WORKLOAD as W, type SequenceBenchSystem, timeMajorBatch } from './workload.js';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;
type Tensor2D = tfTypes.Tensor2D;

const LOG_2PI = Math.log(2 * Math.PI);

function createModel(tf: Tf) {
  const H = W.units;
  const K = W.components;
  const uniform = (shape: number[], limit: number, seed: number) => tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed));
  const forgetBias = Float32Array.from({ length: 4 * H }, (_, i) => (i >= H && i < 2 * H ? 1 : 0));
  const width = 6 * K + W.penClasses;
  const v = {
    wih: uniform([3, 4 * H], Math.sqrt(6 / (3 + 4 * H)), 1),
    whh: uniform([H, 4 * H], Math.sqrt(6 / (5 * H)), 2),
    b: tf.variable(tf.tensor1d(forgetBias)),
    wo: uniform([H, width], Math.sqrt(6 / (H + width)), 3),
    bo: tf.variable(tf.zeros([width])),
  };
  const cell = (xw: Tensor2D, h: Tensor2D, c: Tensor2D): [Tensor2D, Tensor2D] => {
    const [i, f, g, o] = tf.split(tf.add(xw, tf.matMul(h, v.whh)), 4, 1);
    const next = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as Tensor2D;
    return [tf.mul(tf.sigmoid(o), tf.tanh(next)) as Tensor2D, next];
  };
  // Mixture parameters of head rows: π logits, μ (K x 2), the factor's diagonal (softplus) and below-diagonal entry, pen logits.
  const parts = (head: Tensor2D) => {
    const rows = head.shape[0];
    const [logits, mu, diag, off, pen] = tf.split(head, [K, 2 * K, 2 * K, K, W.penClasses], 1);
    const d = tf.reshape(tf.softplus(diag), [rows, K, 2]);
    const m = tf.reshape(mu, [rows, K, 2]);
    return { logits, m, d, off, pen, rows };
  };
  const loss = (inputs: Tensor, targets: Tensor2D, steps: number, batch: number): tfTypes.Scalar => {
    const xw = tf.unstack(tf.reshape(tf.add(tf.matMul(tf.reshape(inputs, [steps * batch, 3]) as Tensor2D, v.wih), v.b), [steps, batch, 4 * H])) as Tensor2D[];
    let h = tf.zeros([batch, H]) as Tensor2D;
    let c = tf.zeros([batch, H]) as Tensor2D;
    const outputs: Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      [h, c] = cell(xw[t], h, c);
      outputs.push(h);
    }
    const { logits, m, d, off, pen, rows } = parts(tf.add(tf.matMul(tf.concat(outputs, 0), v.wo), v.bo) as Tensor2D);
    const [y, penClass] = tf.split(targets, [2, 1], 1);
    const [y1, y2] = tf.split(tf.reshape(y, [rows, 1, 2]), 2, 2);
    const [m1, m2] = tf.split(m, 2, 2);
    const [d1, d2] = tf.split(d, 2, 2);
    const z1 = tf.div(tf.sub(y1, m1), d1);
    const z2 = tf.div(tf.sub(tf.sub(y2, m2), tf.mul(tf.reshape(off, [rows, K, 1]), z1)), d2);
    const logDensity = tf.reshape(tf.sub(tf.neg(tf.add(tf.log(d1), tf.log(d2))), tf.add(tf.mul(tf.add(tf.square(z1), tf.square(z2)), 0.5), LOG_2PI)), [rows, K]);
    const mixture = tf.logSumExp(tf.add(tf.logSoftmax(logits), logDensity), 1);
    const penNll = tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(tf.reshape(penClass, [rows]), 'int32'), W.penClasses), tf.logSoftmax(pen)), 1));
    return tf.mean(tf.add(tf.neg(mixture), penNll));
  };
  // One generation step for every sequence: the cell, the head, a component, a draw through its factor, a pen state.
  const step = (x: Tensor2D, h: Tensor2D, c: Tensor2D): [Tensor2D, Tensor2D, Tensor2D] => {
    const [hn, cn] = cell(tf.add(tf.matMul(x, v.wih), v.b) as Tensor2D, h, c);
    const { logits, m, d, off, pen, rows } = parts(tf.add(tf.matMul(hn, v.wo), v.bo) as Tensor2D);
    const pick = tf.oneHot(tf.reshape(tf.multinomial(logits as Tensor2D, 1), [rows]), K);
    const chosen = (t: Tensor, w: number) => tf.sum(tf.mul(tf.reshape(t, [rows, K, w]), tf.reshape(pick, [rows, K, 1])), 1);
    const [mu1, mu2] = tf.split(chosen(m, 2), 2, 1);
    const [l1, l2] = tf.split(chosen(d, 2), 2, 1);
    const o = chosen(off, 1);
    const [e1, e2] = tf.split(tf.randomNormal([rows, 2]), 2, 1);
    const dx = tf.add(mu1, tf.mul(l1, e1));
    const dy = tf.add(tf.add(mu2, tf.mul(o, e1)), tf.mul(l2, e2));
    const penState = tf.cast(tf.multinomial(pen as Tensor2D, 1), 'float32');
    return [tf.concat([dx, dy, penState], 1) as Tensor2D, hn, cn];
  };
  return { variables: Object.values(v), loss, step };
}

export function tfjsSequenceSystem(tf: Tf, backend: string): SequenceBenchSystem {
  return {
    name: `tfjs-${backend}`,
    async available() {
      try {
        return (await tf.setBackend(backend)) && tf.getBackend() === backend;
      } catch {
        return false;
      }
    },
    async create(sequences) {
      await tf.setBackend(backend);
      await tf.ready();
      const model = createModel(tf);
      const optimizer = tf.train.adam(W.learningRate, 0.9, 0.999, 1e-7);
      // Batches in turn through the sequences, uploaded once.
      const batches = Array.from({ length: Math.floor(sequences.length / W.batch) }, (_, i) => {
        const { inputs, targets } = timeMajorBatch(sequences, i * W.batch, W.batch, W.steps);
        return { inputs: tf.tensor3d(inputs, [W.steps, W.batch, 3]), targets: tf.tensor2d(targets, [W.steps * W.batch, 3]) };
      });
      let next = 0;
      const trainStep = (read: boolean) => {
        const batch = batches[next++ % batches.length];
        return optimizer.minimize(() => model.loss(batch.inputs, batch.targets as Tensor2D, W.steps, W.batch), read, model.variables as tfTypes.Variable[]);
      };
      return {
        async train(steps) {
          let last = NaN;
          for (let s = 1; s <= steps; s++) {
            const cost = trainStep(s === steps);
            if (cost) {
              last = (await cost.data())[0];
              cost.dispose();
            }
          }
          return last;
        },
        async generate() {
          const { count, steps } = W.generate;
          let x = tf.zeros([count, 3]) as Tensor2D;
          let h = tf.zeros([count, W.units]) as Tensor2D;
          let c = tf.zeros([count, W.units]) as Tensor2D;
          const drawn: Tensor2D[] = [];
          for (let t = 0; t < steps; t++) {
            const [nx, nh, nc] = tf.tidy(() => model.step(x, h, c));
            if (t > 0) tf.dispose([h, c]);
            [x, h, c] = [nx, nh, nc];
            drawn.push(x);
          }
          const all = tf.concat(drawn, 0);
          await all.data();
          tf.dispose([all, h, c, ...drawn]);
        },
        async dispatchesPerStep() {
          const info = await tf.profile(() => {
            trainStep(false);
          });
          return info.kernels.length;
        },
        dispose() {
          optimizer.dispose();
          tf.dispose([...model.variables, ...batches.flatMap((b) => [b.inputs, b.targets])]);
        },
      };
    },
  };
}
