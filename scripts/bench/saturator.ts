/** Starts and stops `saturate.ts` (producers in a child process) for the latency benchmarks. */
import { fileURLToPath } from 'node:url';
import { startWaitingChild } from './child.js';

/** A load generator, started ahead and pointed at a server with {@link Saturator.go}. */
export interface Saturator {
  /** Starts pushing to the server at `url`. */
  go(url: string): void;
  /** Stops the producers (SIGTERM, SIGKILL after `graceMs`); resolves with the items acked (0 if killed). */
  stop(graceMs?: number): Promise<number>;
}

/** Backlog of a model's learner (items queued) that counts as saturated: it never waits for work. */
export const SATURATED_QUEUE = 1000;

const SCRIPT = fileURLToPath(new URL('./saturate.ts', import.meta.url));

/** Starts a process of `producers` binary-frame producers for `model`, waiting for {@link Saturator.go}. */
export function prepareSaturator(model: string, producers: number): Saturator {
  const child = startWaitingChild<{ acked: number }>(process.execPath, ['--import', 'tsx', SCRIPT, '--model', model, '--producers', String(producers), '--binary']);
  return {
    go: (url) => child.go(url),
    async stop(graceMs = 60_000) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return (await child.result).acked;
      } catch {
        return 0;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
