import type { MessagePort, Worker } from 'node:worker_threads';

/**
 * Sends a starting worker thread its setup message and waits for the reply that settles it:
 * `settle` maps a reply to the result, to an Error (the start failed) or to `undefined` (not
 * the awaited reply, ignored). The thread's error or its exit (`exitError(code)`) rejects too.
 * Every listener is removed once it has settled.
 */
export function awaitStartup<Reply, Result>(
  worker: Worker,
  message: unknown,
  transfer: Array<ArrayBuffer | MessagePort>,
  settle: (reply: Reply) => Result | Error | undefined,
  exitError: (code: number) => Error,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply): void => {
      const outcome = settle(reply);
      if (outcome === undefined) return;
      cleanup();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => onError(exitError(code));
    const cleanup = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(message, transfer);
  });
}
