import { Random } from '../sigprop/utils/random.js';

/** One stored sample: its input and label. */
export interface ReplaySample {
  x: Float32Array;
  y: number;
}

/**
 * A fixed-size reservoir of past labelled samples (Vitter's algorithm R): every sample seen so
 * far has the same chance `capacity / seen` to be in it, so the buffer is a uniform sample of
 * the whole stream — the replay that continual learning uses against forgetting, and the extra
 * rows that batch losses (v9/v14/v15) need when items arrive one at a time.
 */
export class ReplayBuffer {
  private readonly items: ReplaySample[] = [];
  private seen = 0;
  private readonly random: Random;

  /** @param capacity most samples kept (0 disables the buffer); @param seed sampling seed. */
  constructor(
    readonly capacity: number,
    seed = 1,
  ) {
    this.random = new Random(seed);
  }

  /** Number of samples held. */
  get size(): number {
    return this.items.length;
  }

  /** Offers a sample to the reservoir. */
  add(sample: ReplaySample): void {
    if (this.capacity === 0) return;
    this.seen += 1;
    if (this.items.length < this.capacity) this.items.push(sample);
    else {
      const j = this.random.int(this.seen);
      if (j < this.capacity) this.items[j] = sample;
    }
  }

  /** `count` samples drawn uniformly with replacement (none when empty). */
  sample(count: number): ReplaySample[] {
    if (this.items.length === 0) return [];
    return Array.from({ length: count }, () => this.items[this.random.int(this.items.length)]);
  }
}
