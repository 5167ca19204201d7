import { InvalidArgumentError } from 'commander';

/** Parses `--rate N` or `--rate N/s`: items per second, > 0. */
export function parseRate(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/s)?\s*$/.exec(value);
  const rate = match ? Number(match[1]) : NaN;
  if (!(rate > 0)) throw new InvalidArgumentError(`expected items per second like 200 or 200/s; got "${value}"`);
  return rate;
}

/** Parses a positive integer option. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer; got "${value}"`);
  return n;
}

/**
 * Paces a loop to `rate` items per second on a fixed schedule from the first call (after a
 * stall it catches up as fast as it may); without a rate it never waits.
 */
export class Pacer {
  private start: number | null = null;
  private count = 0;

  constructor(private readonly rate?: number) {}

  /** Waits until the next item is due. */
  async next(): Promise<void> {
    if (this.rate === undefined) return;
    const now = performance.now();
    this.start ??= now;
    const due = this.start + (this.count++ / this.rate) * 1000;
    if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));
  }
}
