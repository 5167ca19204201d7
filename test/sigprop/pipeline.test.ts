import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fromConfig, serialize, deserialize, CheckpointError, type Classifier } from '../../src/index.js';
import { readWeights } from '../../src/sigprop/classifier/weights.js';
import { planStages, pipelineObstacle } from '../../src/sigprop/parallel/part.js';
import { Stage, type StageOutput } from '../../src/sigprop/parallel/stage.js';
import { Pipeline, PipelineError } from '../../src/sigprop/parallel/pipeline.js';
import { mergeCheckpoints } from '../../src/sigprop/serialize/merge.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** The reference MLP's shape, narrower (every product stays a real matmul). */
const MLP = {
  inputShape: [784],
  classes: 10,
  architecture: { name: 'mlp', numLayers: 2, numHidden: 96 },
  signal: { kind: 'projection-context-input', targets: 'per-sample' },
  loss: { name: 'v14' },
  optimizer: { kind: 'adam', lr: 5e-3 },
  seed: 7,
};
/** A small VGG with batch norm (running statistics) and per-class targets. */
const VGG = {
  inputShape: [16, 16, 3],
  classes: 4,
  architecture: { name: 'vgg6', featMult: 0.125, norm: 'batch', numLayers: 1, numHidden: 32 },
  signal: { kind: 'projection-context-input', targets: 'per-class' },
  loss: { name: 'v1' },
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
  seed: 3,
};

interface Batch {
  x: Float32Array;
  y: Int32Array;
}

function batches(config: { inputShape: number[]; classes: number }, count: number, size: number, seed: number): Batch[] {
  const random = new Random(seed);
  const features = config.inputShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () => ({
    x: Float32Array.from(random.uniform(size * features, 1)),
    y: Int32Array.from({ length: size }, () => random.int(config.classes)),
  }));
}

/** Learns a batch with `Classifier.learn`; returns the pre-update logits and loss. */
function learnRef(c: Classifier, b: Batch): { logits: Float32Array; loss: number } {
  const x = tf.tensor(b.x, [b.y.length, ...c.config.inputShape]);
  const y = tf.tensor1d(b.y, 'int32');
  const { logits, loss } = c.learn(x, y);
  const out = { logits: logits.dataSync() as Float32Array, loss: loss.dataSync()[0] };
  tf.dispose([x, y, logits, loss]);
  return out;
}

describe('planStages', () => {
  beforeAll(() => useBackend('cpu'));

  it('cuts the reference MLP after hidden1: signal + hidden1 | hidden2 + output (the heavier half first, as the work estimate says)', () => {
    const c = fromConfig({ ...MLP, architecture: { ...MLP.architecture, numHidden: 1024 } });
    expect(planStages(c, 2)).toEqual([
      { first: true, last: false, from: 0, to: 1 },
      { first: false, last: true, from: 1, to: 2 },
    ]);
    expect(planStages(c, 3)).toHaveLength(3);
    expect(planStages(c, 1)).toEqual([{ first: true, last: true, from: 0, to: 2 }]);
    // More stages than places to cut: one part per propagator at most (signal, hidden1, hidden2, tail).
    expect(planStages(c, 9)).toHaveLength(4);
    c.dispose();
  });

  it('keeps a model with dropout in one part (its layers share one random generator) and says why', () => {
    const c = fromConfig({ ...MLP, architecture: { ...MLP.architecture, dropout: 0.2 } });
    expect(pipelineObstacle(c)).toMatch(/dropout/);
    expect(planStages(c, 2)).toHaveLength(1);
    c.dispose();
  });

  it('plans a deep model over many stages at once (the plan is polynomial, not a search over every cut)', () => {
    const c = fromConfig({ ...MLP, architecture: { ...MLP.architecture, numLayers: 64, numHidden: 8, wrap: 'fine' } });
    const started = performance.now();
    const parts = planStages(c, 64);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(parts[0]).toMatchObject({ first: true, from: 0 });
    expect(parts.at(-1)).toMatchObject({ last: true });
    parts.slice(1).forEach((p, i) => expect(p.from).toBe(parts[i].to));
    c.dispose();
  });

  it('refuses a stage count that is not a positive integer', () => {
    const c = fromConfig(MLP);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => planStages(c, bad)).toThrow(/positive integer/);
    c.dispose();
  });

  it("'auto' pipelines only models with enough work per sample to gain from it", () => {
    const small = fromConfig(MLP);
    const reference = fromConfig({ ...MLP, architecture: { ...MLP.architecture, numHidden: 1024 } });
    expect(planStages(small, 'auto')).toHaveLength(1);
    expect(planStages(reference, 'auto')).toHaveLength(Math.min(2, availableParallelism()));
    small.dispose();
    reference.dispose();
  });
});

describe.each(BACKENDS)('stages in one thread (%s): the same computation as Classifier.learn', (backendName) => {
  beforeAll(() => useBackend(backendName));

  // Convolutions on the pure-JS cpu backend take minutes: the VGG runs on wasm only.
  const cases = [
    ['MLP v14 per-sample, 2 stages', MLP, 2, 16],
    ['MLP v14, 3 stages', MLP, 3, 16],
    ...(backendName === 'wasm' ? [['VGG6 batch norm v1 per-class, 2 stages', VGG, 2, 8] as const] : []),
  ] as const;
  it.each(cases)('%s: identical logits, losses, weights and checkpoint', async (_what, config, count, size) => {
    const ref = fromConfig(config);
    const stages = planStages(ref, count).map((part) => new Stage(fromConfig(config), part));
    expect(stages).toHaveLength(count);
    for (const b of batches(config, 4, size, 11)) {
      const expected = learnRef(ref, b);
      let out: StageOutput = stages[0].learn({ labels: b.y, fresh: b.y.length, x: b.x });
      for (const s of stages.slice(1)) out = s.learn({ labels: b.y, fresh: b.y.length, flow: out.kind === 'flow' ? out.flow : undefined });
      if (out.kind !== 'result') throw new Error('the last stage must give the result');
      expect(Array.from(out.logits)).toEqual(Array.from(expected.logits));
      expect(out.loss).toBe(expected.loss);
    }
    expect(stages.flatMap((s) => s.weights()).map((a) => Array.from(a))).toEqual(readWeights(ref).map((a) => Array.from(a)));
    const parts = await Promise.all(stages.map(async (s) => ({ bytes: await serialize(s.classifier), ...s.ownership() })));
    expect(Buffer.from(mergeCheckpoints(parts)).equals(Buffer.from(await serialize(ref)))).toBe(true);
    ref.dispose();
    for (const s of stages) s.classifier.dispose();
  });

  it('refuses a fresh outside [0, N] as Classifier.learn does, before learning anything', () => {
    const c = fromConfig(MLP);
    const [stage] = planStages(c, 2).map((part) => new Stage(c, part));
    const [b] = batches(MLP, 1, 4, 6);
    expect(() => stage.learn({ labels: b.y, fresh: 5, x: b.x })).toThrow("learn: fresh is 5; expected an integer in [0, 4] (how many of the batch's 4 samples are new)");
    expect(() => stage.learn({ labels: b.y, fresh: 0.5, x: b.x })).toThrow(/fresh is 0.5/);
    expect({ samples: c.samples, steps: c.steps }).toEqual({ samples: 0, steps: 0 });
    c.dispose();
  });

  it('reports each stage its own layers metrics, in model order', () => {
    const ref = fromConfig(MLP);
    const stages = planStages(ref, 2).map((part) => new Stage(fromConfig(MLP), part));
    const [b] = batches(MLP, 1, 8, 5);
    const first = stages[0].learn({ labels: b.y, fresh: 8, x: b.x });
    const second = stages[1].learn({ labels: b.y, fresh: 8, flow: first.kind === 'flow' ? first.flow : undefined });
    expect([...first.layers, ...second.layers].map((l) => l.name)).toEqual(['signal', 'hidden1', 'hidden2']);
    expect(second.layers[0].count).toBe(8);
    ref.dispose();
    for (const s of stages) s.classifier.dispose();
  });
});

describe('mergeCheckpoints', () => {
  beforeAll(() => useBackend('cpu'));

  it('refuses parts where a tensor or optimizer has no owner, or two', async () => {
    const c = fromConfig(MLP);
    const [a, b] = planStages(c, 2).map((part) => new Stage(c, part));
    const bytes = await serialize(c);
    const pa = { bytes, ...a.ownership() };
    const pb = { bytes, ...b.ownership() };
    expect(() => mergeCheckpoints([pa, { ...pb, tensors: pb.tensors.slice(1) }])).toThrow(CheckpointError);
    expect(() => mergeCheckpoints([pa, { ...pb, optimizers: [...pb.optimizers, ...pa.optimizers] }])).toThrow(/owned by 2 parts/);
    c.dispose();
  });
});

describe('Pipeline (worker threads, wasm)', () => {
  let pipeline: Pipeline | null = null;
  beforeAll(() => useBackend('wasm'));
  afterEach(async () => {
    await pipeline?.dispose();
    pipeline = null;
  });

  it('learns batches in flight in 2 threads bit-identically to Classifier.learn; weights and checkpoint as the sequential model', async () => {
    const ref = fromConfig(MLP);
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    expect(pipeline.parts).toHaveLength(2);
    const data = batches(MLP, 6, 12, 21);
    const results = await Promise.all(data.map((b) => (pipeline as Pipeline).learn(b.x.slice(), b.y.slice(), 10, b === data[5])));
    data.forEach((b, i) => {
      const expected = learnRef(ref, b);
      expect(Array.from(results[i].logits)).toEqual(Array.from(expected.logits));
      expect(results[i].loss).toBe(expected.loss);
      expect(results[i].layers.map((l) => l.name)).toEqual(['signal', 'hidden1', 'hidden2']);
    });
    expect(results[5]).toMatchObject({ step: 6, samples: 60 });
    expect(results[0].weights).toBeNull();
    expect(results[5].weights?.map((a) => Array.from(a))).toEqual(readWeights(ref).map((a) => Array.from(a)));
    const checkpoint = await pipeline.checkpoint();
    ref.samples = 60; // the pipeline learned 10 fresh samples per batch
    expect(Buffer.from(checkpoint.bytes).equals(Buffer.from(await serialize(ref)))).toBe(true);
    ref.dispose();
  });

  it('writes published weights into the spare arrays of an earlier copy (transferred), in 2 stages, and leaves out arrays that cannot travel', async () => {
    const ref = fromConfig(MLP);
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    const data = batches(MLP, 3, 12, 5);
    const first = await pipeline.weights();
    const spare = first.weights;
    const learned = await pipeline.learn(data[0].x.slice(), data[0].y.slice(), 12, true, spare);
    learnRef(ref, data[0]);
    // Every spare array went to the stages (detached here) and came back refilled.
    expect(spare.every((a) => a.length === 0)).toBe(true);
    expect(learned.weights?.map((a) => Array.from(a))).toEqual(readWeights(ref).map((a) => Array.from(a)));
    // A repeated buffer, a view and a detached array are left out: the stages make new arrays for them.
    const odd = learned.weights as Float32Array[];
    const bad = [odd[0], odd[0], new Float32Array(odd[2].length + 1).subarray(1), ...odd.slice(3)];
    const again = await pipeline.weights(bad);
    expect(again.weights.map((a) => Array.from(a))).toEqual(readWeights(ref).map((a) => Array.from(a)));
    const after = await pipeline.learn(data[1].x.slice(), data[1].y.slice(), 12, true, spare);
    learnRef(ref, data[1]);
    expect(after.weights?.map((a) => Array.from(a))).toEqual(readWeights(ref).map((a) => Array.from(a)));
    ref.dispose();
  });

  it('restores a checkpoint in every stage, then goes on exactly as the restored classifier', async () => {
    const data = batches(MLP, 5, 8, 4);
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    for (const b of data.slice(0, 2)) await pipeline.learn(b.x.slice(), b.y.slice());
    const saved = await pipeline.checkpoint();
    for (const b of data.slice(2, 4)) await pipeline.learn(b.x.slice(), b.y.slice());
    expect(await pipeline.restore(saved.bytes)).toEqual({ step: 2, samples: 16 });
    const ref = deserialize(saved.bytes);
    for (const b of data.slice(2)) {
      const got = await pipeline.learn(b.x.slice(), b.y.slice());
      expect(Array.from(got.logits)).toEqual(Array.from(learnRef(ref, b).logits));
    }
    const started = await Pipeline.start({ checkpoint: (await pipeline.checkpoint()).bytes }, { stages: 2, backend: 'wasm' });
    expect(started.start).toEqual({ step: 5, samples: 40 });
    await started.dispose();
    ref.dispose();
  });

  it('refuses a bad batch with the reason and learns nothing from it; the pipeline stays usable', async () => {
    const ref = fromConfig(MLP);
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    const [b] = batches(MLP, 1, 4, 9);
    await expect(pipeline.learn(b.x.slice(), Int32Array.of(1, 2, 10, 3))).rejects.toThrow(/labels\[2\] is 10; expected an integer in \[0, 9\]/);
    await expect(pipeline.learn(b.x.slice(0, 100), b.y.slice())).rejects.toThrow(/x has 100 values; expected 3136 for shape \[4, 784\]/);
    await expect(pipeline.learn(b.x.slice(0, 784), b.y.slice(0, 1))).rejects.toThrow(/needs at least 2/);
    await expect(pipeline.learn(b.x.slice(), Float32Array.from(b.y) as unknown as Int32Array)).rejects.toThrow(/labels must be a Int32Array; got Float32Array/);
    // The same check and message as Classifier.learn (Classifier.checkFresh), made before the transfer.
    for (const fresh of [5, -1, 1.5]) {
      await expect(pipeline.learn(b.x.slice(), b.y.slice(), fresh)).rejects.toMatchObject({ name: 'PipelineError', message: `learn: fresh is ${fresh}; expected an integer in [0, 4] (how many of the batch's 4 samples are new)` });
    }
    const other = fromConfig({ ...MLP, architecture: { ...MLP.architecture, numLayers: 3 } });
    await expect(pipeline.restore(await serialize(other))).rejects.toThrow(/another model config/);
    other.dispose();
    const got = await pipeline.learn(b.x.slice(), b.y.slice());
    expect(Array.from(got.logits)).toEqual(Array.from(learnRef(ref, b).logits));
    expect(got.step).toBe(1);
    expect(Array.from((await pipeline.learn(b.x.slice(), b.y.slice())).logits)).toEqual(Array.from(learnRef(ref, b).logits));
    const used = b.x.slice();
    await pipeline.learn(used, b.y.slice());
    await expect(pipeline.learn(used, b.y.slice())).rejects.toThrow(/x's buffer is detached/);
    ref.dispose();
  });

  it('after dispose answers the requests made before it, then refuses every call at once as disposed (not as a crash); onFailure stays silent', async () => {
    const failures: Error[] = [];
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    pipeline.onFailure = (error) => failures.push(error);
    const [b] = batches(MLP, 1, 4, 13);
    const before = pipeline.learn(b.x.slice(), b.y.slice());
    await pipeline.dispose();
    expect((await before).step).toBe(1);
    const disposed = { name: 'PipelineError', code: 'disposed', message: expect.stringMatching(/^pipeline: disposed \(dispose\(\) was called\)/) };
    const x = b.x.slice();
    await expect(pipeline.learn(x, b.y.slice())).rejects.toMatchObject(disposed);
    expect(x.length).toBe(b.x.length); // refused before the transfer: the caller keeps its array
    await expect(pipeline.weights()).rejects.toMatchObject(disposed);
    await expect(pipeline.checkpoint()).rejects.toMatchObject(disposed);
    await expect(pipeline.restore(Uint8Array.of(1))).rejects.toMatchObject(disposed);
    await pipeline.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100)); // any late 'exit' event has arrived
    expect(failures).toEqual([]);
  });

  it('terminate fails the unanswered requests and every later one as disposed; onFailure stays silent', async () => {
    const failures: Error[] = [];
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    pipeline.onFailure = (error) => failures.push(error);
    const [b] = batches(MLP, 1, 4, 14);
    const terminated = { name: 'PipelineError', code: 'disposed', message: expect.stringMatching(/^pipeline: terminated \(terminate\(\) was called\)/) };
    // Awaited after terminate, but watched from now on: terminate rejects it at once.
    const unanswered = expect(pipeline.learn(b.x.slice(), b.y.slice())).rejects.toMatchObject(terminated);
    await pipeline.terminate();
    await unanswered;
    await expect(pipeline.weights()).rejects.toMatchObject(terminated);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(failures).toEqual([]);
  });

  it('a stage thread that dies on its own is reported to onFailure once, and the calls after it fail with its exit', async () => {
    const failures: Error[] = [];
    pipeline = await Pipeline.start({ config: MLP }, { stages: 2, backend: 'wasm' });
    pipeline.onFailure = (error) => failures.push(error);
    // Fault injection: the second stage's thread ends as if the OS had killed it.
    await (pipeline as unknown as { workers: Worker[] }).workers[1].terminate();
    await expect.poll(() => failures.length).toBe(1);
    expect(failures[0].message).toBe('a pipeline stage exited with code 1');
    await expect(pipeline.weights()).rejects.toThrow('a pipeline stage exited with code 1');
    await pipeline.dispose();
    expect(failures).toHaveLength(1);
    await expect(pipeline.weights()).rejects.toMatchObject({ code: 'disposed' });
  });

  it('fails to start with the config error and leaves no thread behind', async () => {
    await expect(Pipeline.start({ config: { ...MLP, classes: 0 } }, { stages: 2, backend: 'wasm' })).rejects.toThrow(/classes/);
    await expect(Pipeline.start({ checkpoint: Uint8Array.of(1, 2, 3) }, { stages: 2, backend: 'wasm' })).rejects.toThrow(PipelineError);
    await expect(Pipeline.start({ config: MLP }, { stages: 0 })).rejects.toThrow(/positive integer or 'auto'/);
  });
});
