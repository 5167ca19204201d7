/**
 * A model's prediction thread (see `client.ts`): hosts its inference copy ({@link Predictor}),
 * loads the weight snapshots the learner publishes and answers predictions, so that neither a
 * forward pass nor a snapshot load occupies the main thread, where every client's frames are
 * read and every commit runs.
 */
import { parentPort } from 'node:worker_threads';
import { fromConfig } from '../../sigprop/config/from-config.js';
import { init as initBackend, type BackendName } from '../../sigprop/backend/index.js';
import { transferList } from '../../sigprop/parallel/transfer.js';
import { Predictor } from './predictor.js';
import type { PredictorReply, PredictorRequest } from './protocol.js';

if (!parentPort) throw new Error('prediction thread: must run in a worker thread');
const main = parentPort;
let predictor: Predictor | null = null;

function reply(message: PredictorReply): void {
  main.postMessage(message);
}

async function init(message: Extract<PredictorRequest, { type: 'init' }>): Promise<void> {
  const info = await initBackend({ backend: message.backend as BackendName });
  predictor = new Predictor(fromConfig(message.config), message.step, (arrays) => main.postMessage({ type: 'recycled', arrays } satisfies PredictorReply, transferList(arrays)));
  reply({ type: 'ready', backend: info.name });
}

function current(): Predictor {
  if (!predictor) throw new Error('prediction thread: a request came before init');
  return predictor;
}

/** A snapshot that cannot be loaded leaves the thread unable to follow the learner: it is broken, not one prediction. */
function predict(message: Extract<PredictorRequest, { type: 'predict' }>): void {
  const p = current();
  try {
    p.loadPending();
  } catch (error) {
    reply({ type: 'broken', message: (error as Error).message });
    return;
  }
  try {
    const { probs, step } = p.predict(message.x, message.n);
    // Copied, not transferred: on some backends `dataSync` hands out the tensor's own storage.
    reply({ type: 'predicted', id: message.id, probs, step });
  } catch (error) {
    reply({ type: 'failed', id: message.id, message: (error as Error).message });
  }
}

main.on('message', (message: PredictorRequest) => {
  if (message.type === 'init') init(message).catch((error: Error) => reply({ type: 'broken', message: error.message }));
  else if (message.type === 'weights') current().offer(message);
  else predict(message);
});
