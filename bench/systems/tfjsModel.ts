// TensorFlow.js 4.22 in the benchmark, written as a tfjs user would: variables, tf.matMul, the mixture NLL by
// logSoftmax + logSumExp (numerically stable), tf.train.adam and optimizer.minimize. Same initial weights,
// same data and the same Adam settings as mixden. One system per backend. The tf namespace is the host's: the
// ESM packages in a page (./tfjs.ts), the union package's Node build in Node (./tfjsNode.ts).
import type * as tfTypes from '@tensorflow/tfjs-core';
import { denseLayers } from '../../src/mdn/architecture.js';
import type { MdnArchitecture } from '../../src/mdn/architecture.js';
import type { BenchModel, BenchSystem } from './system.js';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function activation(tf: Tf, name: MdnArchitecture['activation'], x: Tensor): Tensor {
  switch (name) {
    case 'identity': return x;
    case 'relu': return tf.relu(x);
    case 'tanh': return tf.tanh(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'elu': return tf.elu(x);
  }
}

/** log σ and σ from the σ pre-activations. */
function sigmaOf(tf: Tf, arch: MdnArchitecture, pre: Tensor): { sigma: Tensor; logSigma: Tensor } {
  if (arch.sigma === 'exp') return { sigma: tf.exp(pre), logSigma: pre };
  const sigma = arch.sigma === 'softplus' ? tf.softplus(pre) : tf.add(tf.add(tf.elu(pre), 1), arch.sigmaEpsilon);
  return { sigma, logSigma: tf.log(sigma) };
}

function createModel(tf: Tf, arch: MdnArchitecture, initial: Float64Array[]) {
  const layers = denseLayers(arch).map((shape, i) => {
    const block = Float32Array.from(initial[i]);
    return {
      activation: shape.activation,
      w: tf.variable(tf.tensor2d(block.subarray(0, shape.inputs * shape.outputs), [shape.inputs, shape.outputs])),
      b: tf.variable(tf.tensor1d(block.subarray(shape.inputs * shape.outputs))),
    };
  });
  const K = arch.components;
  const D = arch.outputDim;
  const head = (x: Tensor): tfTypes.Tensor2D =>
    layers.reduce((h, l) => activation(tf, l.activation, tf.add(tf.matMul(h as tfTypes.Tensor2D, l.w), l.b)), x) as tfTypes.Tensor2D;
  const loss = (x: Tensor, y: Tensor): tfTypes.Scalar => {
    const [logits, mu, sigmaPre] = tf.split(head(x), [K, K * D, K * D], 1);
    const rows = x.shape[0];
    const { logSigma, sigma } = sigmaOf(tf, arch, tf.reshape(sigmaPre, [rows, K, D]));
    const u = tf.div(tf.sub(tf.reshape(y, [rows, 1, D]), tf.reshape(mu, [rows, K, D])), sigma);
    const logDensity = tf.sum(tf.sub(tf.mul(tf.square(u), -0.5), tf.add(logSigma, LOG_SQRT_2PI)), 2);
    return tf.neg(tf.mean(tf.logSumExp(tf.add(tf.logSoftmax(logits), logDensity), 1)));
  };
  const mixture = (x: Tensor): Tensor =>
    tf.tidy(() => {
      const [logits, mu, sigmaPre] = tf.split(head(x), [K, K * D, K * D], 1);
      return tf.concat([tf.softmax(logits), mu, sigmaOf(tf, arch, sigmaPre).sigma], 1);
    });
  return { layers, loss, mixture };
}

/** The tfjs system on `backend` of the namespace `tf`. */
export function tfjsSystem(tf: Tf, backend: string): BenchSystem {
  return {
    name: `tfjs-${backend}`,
    async available() {
      try {
        return (await tf.setBackend(backend)) && tf.getBackend() === backend;
      } catch {
        return false;
      }
    },
    async create(workload, data, initial): Promise<BenchModel> {
      await tf.setBackend(backend);
      await tf.ready();
      const arch = workload.architecture;
      const model = createModel(tf, arch, initial);
      const x = tf.tensor2d(data.x, [data.rows, arch.inputDim]);
      const y = tf.tensor2d(data.y, [data.rows, arch.outputDim]);
      const optimizer = tf.train.adam(workload.learningRate, 0.9, 0.999, 1e-7);
      const variables = model.layers.flatMap((l) => [l.w, l.b]);
      return {
        async train(steps, lossEvery) {
          let last = NaN;
          for (let step = 1; step <= steps; step++) {
            const read = step === steps || step % lossEvery === 0;
            const cost = optimizer.minimize(() => model.loss(x, y), read, variables);
            if (cost) {
              last = (await cost.data())[0];
              cost.dispose();
            }
          }
          return last;
        },
        async predict(input) {
          const t = tf.tensor2d(input, [input.length / arch.inputDim, arch.inputDim]);
          const out = model.mixture(t);
          const values = (await out.data()) as Float32Array;
          t.dispose();
          out.dispose();
          return values;
        },
        memoryBytes() {
          // GPU backends: bytes allocated on the device (pooled buffers included); CPU backends: tensor bytes.
          const m = tf.memory() as tfTypes.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
          return m.numBytesAllocatedInGPU ?? m.numBytesInGPU ?? m.numBytes;
        },
        async dispatchesPerStep() {
          const info = await tf.profile(() => {
            optimizer.minimize(() => model.loss(x, y), false, variables);
          });
          return info.kernels.length;
        },
        dispose() {
          optimizer.dispose();
          tf.dispose([x, y, ...variables]);
        },
      };
    },
  };
}
