/**
 * The learner thread: hosts one model's training `Classifier`, learns the batches it is sent in
 * order, answers with the pre-update logits and per-layer metrics, writes and loads checkpoints,
 * and publishes weight snapshots (at most every `publishEveryMs`) so that predictions on the
 * main thread follow the learning without ever waiting for a training step.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { init as initBackend, type BackendName } from '../../sigprop/backend/index.js';
import { fromConfig } from '../../sigprop/config/from-config.js';
import type { Classifier } from '../../sigprop/classifier/classifier.js';
import { readWeights } from '../../sigprop/classifier/weights.js';
import { serialize, deserialize } from '../../sigprop/serialize/index.js';
import type { LearnerReply, LearnerRequest, LearnReply } from './protocol.js';

if (!parentPort) throw new Error('learner worker: must run in a worker thread');
const port = parentPort;

let classifier: Classifier | null = null;
let publishEveryMs = 0;
let lastPublish = 0;
let published = -1;
let trailing: ReturnType<typeof setTimeout> | null = null;

function reply(message: LearnerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function current(): Classifier {
  if (!classifier) throw new Error('learner worker: not initialised');
  return classifier;
}

/**
 * Publishes the weights when they changed and the last publication is old enough; otherwise
 * schedules one for when it will be, so the last update is always published.
 */
function maybePublish(force = false): void {
  if (!classifier || classifier.steps === published) return;
  const c = classifier;
  const now = performance.now();
  if (!force && now - lastPublish < publishEveryMs) {
    trailing ??= setTimeout(() => {
      trailing = null;
      queue = queue.then(() => maybePublish(true));
    }, publishEveryMs - (now - lastPublish));
    return;
  }
  const arrays = readWeights(c);
  reply({ type: 'weights', snapshot: { step: c.steps, samples: c.samples, arrays } }, arrays.map((a) => a.buffer as ArrayBuffer));
  lastPublish = now;
  published = c.steps;
}

function learn(x: Float32Array, y: Int32Array, fresh: number): LearnReply {
  const c = current();
  const start = performance.now();
  const n = y.length;
  const xs = tf.tensor(x, [n, ...c.config.inputShape], 'float32');
  const ys = tf.tensor1d(y, 'int32');
  try {
    c.resetMetrics();
    const { logits, loss } = c.learn(xs, ys, fresh);
    const values = logits.dataSync() as Float32Array;
    tf.dispose([logits, loss]);
    return { logits: values, layers: c.layerMetrics(), step: c.steps, samples: c.samples, ms: performance.now() - start };
  } finally {
    tf.dispose([xs, ys]);
  }
}

async function handle(message: LearnerRequest): Promise<void> {
  switch (message.type) {
    case 'init': {
      const info = await initBackend({ backend: message.backend as BackendName });
      publishEveryMs = message.publishEveryMs;
      classifier = message.checkpoint ? await deserialize(message.checkpoint) : fromConfig(message.config);
      reply({ type: 'ready', id: message.id, backend: info.name, step: classifier.steps, samples: classifier.samples });
      maybePublish(true);
      return;
    }
    case 'learn': {
      const result = learn(message.x, message.y, message.fresh);
      reply({ type: 'learned', id: message.id, result }, [result.logits.buffer as ArrayBuffer]);
      maybePublish();
      return;
    }
    case 'checkpoint': {
      const c = current();
      const bytes = await serialize(c);
      reply({ type: 'checkpoint', id: message.id, bytes, step: c.steps, samples: c.samples }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'restore': {
      const restored = await deserialize(message.checkpoint);
      classifier?.dispose();
      classifier = restored;
      reply({ type: 'restored', id: message.id, step: restored.steps, samples: restored.samples });
      published = -1; // other weights, even if at the step last published
      maybePublish(true);
      return;
    }
    case 'dispose':
      if (trailing) clearTimeout(trailing);
      classifier?.dispose();
      classifier = null;
      reply({ type: 'disposed', id: message.id });
      port.close();
  }
}

/** Requests are handled strictly one after the other, in arrival order. */
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: LearnerRequest) => {
  queue = queue.then(() =>
    handle(message).catch((error: Error & { code?: string }) => {
      reply({ type: 'failed', id: message.id, message: error.message, code: error.code });
    }),
  );
});
