import type { FastifyBaseLogger } from 'fastify';

/** What a signal handler stops. */
export interface Stoppable {
  close(): Promise<void>;
}

/** Options of {@link handleSignals}. */
export interface SignalOptions {
  /** Longest graceful stop, ms; past it the process exits with 1. */
  deadlineMs: number;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** Ends the process (default `process.exit`). */
  exit?: (code: number) => void;
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * A repeat of the first signal within this many ms is the same request relayed twice (`npm run`
 * and `tsx` forward a terminal's Ctrl-C to a child that already got it), not a second one.
 */
const RELAY_WINDOW_MS = 1000;

/**
 * On the first SIGTERM/SIGINT: `server.close()` (stop accepting, drain, checkpoint, close
 * SQLite) then exit 0; exit 1 when it fails or the deadline passes. A second signal exits at once
 * with 128 + signal number (every acked item is already in the recording, so nothing acked is lost);
 * the same signal repeated within a second is taken as relayed twice and ignored.
 * @returns a function removing the handlers.
 */
export function handleSignals(server: Stoppable, options: SignalOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: { signal: string; at: number } | null = null;
  const onSignal = (signal: keyof typeof SIGNAL_NUMBERS) => {
    if (stopping && stopping.signal === signal && Date.now() - stopping.at < RELAY_WINDOW_MS) return;
    if (stopping) {
      options.log.warn(`${signal} again: exiting now`);
      exit(128 + SIGNAL_NUMBERS[signal]);
      return;
    }
    stopping = { signal, at: Date.now() };
    options.log.info(`${signal}: shutting down (deadline ${options.deadlineMs} ms)`);
    const timer = setTimeout(() => {
      options.log.error(`shutdown did not finish within ${options.deadlineMs} ms; exiting`);
      exit(1);
    }, options.deadlineMs);
    server.close().then(
      () => {
        clearTimeout(timer);
        options.log.info('shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        options.log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  const signals = Object.keys(SIGNAL_NUMBERS) as Array<keyof typeof SIGNAL_NUMBERS>;
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
