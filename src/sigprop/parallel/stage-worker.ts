/**
 * A pipeline stage's thread (see `pipeline.ts`): hosts one {@link Stage}, handles the chain
 * messages strictly in arrival order, adds its part to each and sends it on to the next stage,
 * or, in the last stage, answers the main thread. A failure is answered to the main thread
 * directly and the message goes no further.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { Classifier } from '../classifier/classifier.js';
import { fromConfig } from '../config/from-config.js';
import { init as initBackend, type BackendName } from '../backend/index.js';
import { serialize, deserialize } from '../serialize/checkpoint.js';
import { mergeCheckpoints } from '../serialize/merge.js';
import { CheckpointError } from '../serialize/errors.js';
import { planStages } from './part.js';
import { Stage } from './stage.js';
import { transferList } from './transfer.js';
import type { ChainMessage, ModelSource, SetupMessage, StageReply } from './protocol.js';

if (!parentPort) throw new Error('stage worker: must run in a worker thread');
const main = parentPort;

let stage: Stage | null = null;
let downstream: MessagePort | null = null;

function current(): Stage {
  if (!stage) throw new Error('stage worker: not initialised');
  return stage;
}

function reply(message: StageReply, transfer: ArrayBuffer[] = []): void {
  main.postMessage(message, transfer);
}

async function build(source: ModelSource, backend: string): Promise<{ classifier: Classifier; backend: string }> {
  const info = await initBackend({ backend: backend as BackendName });
  const classifier = 'checkpoint' in source ? deserialize(source.checkpoint) : fromConfig(source.config);
  return { classifier, backend: info.name };
}

async function setup(message: SetupMessage): Promise<void> {
  if (message.type === 'connect') {
    downstream = message.downstream;
    return;
  }
  const { classifier, backend } = await build(message.source, message.backend);
  const parts = message.type === 'plan' ? planStages(classifier, message.stages) : [message.part];
  stage = new Stage(classifier, parts[0]);
  if (message.type === 'join') message.upstream.on('message', enqueue);
  reply({ type: 'ready', parts, backend, step: classifier.steps, samples: classifier.samples });
}

/** Adds this stage's weights to a request's copy, filling its share of the spare arrays. */
function addWeights(s: Stage, message: { weights: Float32Array[]; spare: Float32Array[] }): { weights: Float32Array[]; spare: Float32Array[] } {
  const count = s.variableCount;
  return { weights: [...message.weights, ...s.weights(message.spare.slice(0, count))], spare: message.spare.slice(count) };
}

/** Sends a chain message on, or answers the main thread from the last stage. */
function pass(message: ChainMessage, answer: () => StageReply, transfer: ArrayBuffer[]): void {
  if (downstream) downstream.postMessage(message, transfer);
  else reply(answer(), transfer);
}

async function handle(message: ChainMessage): Promise<void> {
  const s = current();
  const counters = (): { step: number; samples: number } => ({ step: s.classifier.steps, samples: s.classifier.samples });
  switch (message.type) {
    case 'learn': {
      const start = performance.now();
      const out = s.learn({ labels: message.labels, fresh: message.fresh, x: message.x, flow: message.flow });
      const ms = message.ms + performance.now() - start;
      const layers = [...message.layers, ...out.layers];
      const { weights, spare } = message.publish ? addWeights(s, message) : message;
      if (out.kind === 'flow') {
        const next: ChainMessage = { ...message, x: undefined, flow: out.flow, layers, weights, spare, ms };
        (downstream as MessagePort).postMessage(next, transferList([out.flow.h, ...(out.flow.t ? [out.flow.t] : []), ...weights, ...spare]));
        return;
      }
      const learned: StageReply = { type: 'learned', id: message.id, logits: out.logits, loss: out.loss, layers, ...counters(), weights: message.publish ? weights : null, ms };
      reply(learned, transferList([out.logits, ...weights]));
      return;
    }
    case 'weights': {
      const { weights, spare } = addWeights(s, message);
      pass({ ...message, weights, spare }, () => ({ type: 'weights', id: message.id, weights, ...counters() }), transferList([...weights, ...spare]));
      return;
    }
    case 'checkpoint': {
      const parts = [...message.parts, { bytes: await serialize(s.classifier), ...s.ownership() }];
      if (downstream) {
        downstream.postMessage({ ...message, parts }, parts.map((p) => p.bytes.buffer as ArrayBuffer));
        return;
      }
      // Merged here, not in the main thread: decoding and checking tens of MB would stall its predictions.
      const bytes = mergeCheckpoints(parts);
      reply({ type: 'checkpoint', id: message.id, bytes, ...counters() }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'restore': {
      const restored = deserialize(message.checkpoint);
      if (JSON.stringify(restored.config) !== JSON.stringify(s.classifier.config)) {
        restored.dispose();
        throw new CheckpointError('the checkpoint is of another model config; a pipeline restores checkpoints of its own config only (start a new one for another)');
      }
      s.classifier.dispose();
      stage = new Stage(restored, s.part);
      pass(message, () => ({ type: 'restored', id: message.id, step: restored.steps, samples: restored.samples }), []);
      return;
    }
    case 'dispose':
      s.classifier.dispose();
      stage = null;
      pass(message, () => ({ type: 'disposed', id: message.id }), []);
      downstream?.close();
  }
}

/** Setup and chain messages are handled strictly one after the other, in arrival order. */
let queue: Promise<void> = Promise.resolve();
function enqueue(message: SetupMessage | ChainMessage): void {
  queue = queue.then(() =>
    (isSetup(message) ? setup(message) : handle(message)).catch((error: Error & { code?: string }) => {
      reply({ type: 'failed', id: 'id' in message ? message.id : -1, message: error.message, code: error.code });
    }),
  );
}

function isSetup(message: SetupMessage | ChainMessage): message is SetupMessage {
  return message.type === 'plan' || message.type === 'join' || message.type === 'connect';
}

main.on('message', enqueue);
