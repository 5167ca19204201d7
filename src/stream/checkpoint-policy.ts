import type { ModelConfig } from '../sigprop/config/schema.js';

/**
 * Decides when a periodic checkpoint is due: after `everySamples` learned samples or
 * `everySeconds` seconds since the last one (either 0 = off), counting only when something
 * was learned since.
 */
export class CheckpointPolicy {
  private samplesAtLast: number;
  private timeAtLast: number;

  constructor(
    private readonly policy: ModelConfig['checkpoint'],
    samples: number,
    private readonly now: () => number = Date.now,
  ) {
    this.samplesAtLast = samples;
    this.timeAtLast = now();
  }

  /** True when a checkpoint should be written at `samples` learned samples. */
  due(samples: number): boolean {
    const learned = samples - this.samplesAtLast;
    if (learned <= 0) return false;
    const bySamples = this.policy.everySamples > 0 && learned >= this.policy.everySamples;
    const byTime = this.policy.everySeconds > 0 && this.now() - this.timeAtLast >= this.policy.everySeconds * 1000;
    return bySamples || byTime;
  }

  /** Records that a checkpoint covering `samples` was written. */
  written(samples: number): void {
    this.samplesAtLast = samples;
    this.timeAtLast = this.now();
  }
}
