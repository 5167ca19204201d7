import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SnapshotSlots } from '../../src/stream/learner/snapshot-slots.js';
import { Pipeline } from '../../src/sigprop/parallel/pipeline.js';
import { readWeights } from '../../src/sigprop/classifier/weights.js';
import { fromConfig } from '../../src/sigprop/config/from-config.js';
import { init } from '../../src/sigprop/backend/index.js';

describe('snapshot slots: weight snapshots over shared memory, reused', () => {
  it('hands out at most three sets of shared arrays of the published sizes, and takes back only shared sets', () => {
    const slots = new SnapshotSlots();
    expect(slots.take()).toEqual([]);
    slots.sizeFrom([new Float32Array(3), new Float32Array(5)]);
    const sets = [slots.take(), slots.take(), slots.take()];
    for (const set of sets) {
      expect(set.map((a) => a.length)).toEqual([3, 5]);
      expect(set.every((a) => a.buffer instanceof SharedArrayBuffer)).toBe(true);
    }
    expect(sets[0][0].buffer).not.toBe(sets[1][0].buffer);
    expect(slots.take()).toEqual([]);
    slots.give([new Float32Array(3), new Float32Array(5)]);
    expect(slots.take()).toEqual([]);
    slots.give(sets[1]);
    expect(slots.take()[1].buffer).toBe(sets[1][1].buffer);
  });

  it('a 2-stage pipeline writes a snapshot into shared arrays in place: the same memory, the learner’s values', async () => {
    await init({ backend: 'wasm' });
    const config = { inputShape: [8], classes: 3, architecture: { name: 'mlp', numLayers: 2, numHidden: 6 }, seed: 4 };
    const pipeline = await Pipeline.start({ config }, { stages: 2, backend: 'wasm' });
    const ref = fromConfig(config);
    try {
      const slots = new SnapshotSlots();
      slots.sizeFrom((await pipeline.weights()).weights);
      const set = slots.take();
      const x = Float32Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i));
      const y = Int32Array.from([0, 1, 2, 0]);
      tf.tidy(() => void ref.learn(tf.tensor(x, [4, 8]), tf.tensor(y, [4], 'int32')));
      const learned = await pipeline.learn(x.slice(), y.slice(), 4, true, set);
      const expected = readWeights(ref).map((a) => Array.from(a));
      expect(learned.weights?.map((a) => Array.from(a))).toEqual(expected);
      // Written where the main thread's views look: nothing was copied back or transferred.
      expect(set.map((a) => Array.from(a))).toEqual(expected);
      expect(learned.weights?.every((a) => a.buffer instanceof SharedArrayBuffer)).toBe(true);
    } finally {
      ref.dispose();
      await pipeline.dispose();
    }
  });
});
