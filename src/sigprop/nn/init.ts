import * as tf from '@tensorflow/tfjs';
import { globalRandom, type Random } from '../utils/random.js';

/**
 * The reference's default initialisation of dense and convolution layers (PyTorch's
 * `kaiming_uniform_(a=√5)` for weights and its bias rule): every value uniform in
 * `±1/√fanIn`. Returns a float32 tensor of `shape`.
 * @param fanIn inputs feeding one output unit (in features, or inChannels·kh·kw).
 */
export function uniformFanIn(shape: number[], fanIn: number, random: Random = globalRandom): tf.Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return tf.tensor(random.uniform(count, bound), shape, 'float32');
}
