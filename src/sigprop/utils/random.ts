/**
 * A small seedable pseudo-random generator (mulberry32), so that initial weights, dropout masks
 * and replay sampling are reproducible on every backend: the same seed gives the same numbers.
 */
export class Random {
  private state: number;

  /** @param seed any integer; equal seeds give equal sequences. */
  constructor(seed = 1) {
    this.state = seed >>> 0;
  }

  /** A float uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `count` floats uniform in [-bound, bound). */
  uniform(count: number, bound: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.next() * 2 - 1) * bound;
    return out;
  }

  /** The generator's state, to save in a checkpoint. */
  getState(): number {
    return this.state;
  }

  /** Restores a state returned by {@link Random.getState}. */
  setState(state: number): void {
    this.state = state >>> 0;
  }
}

/** The generator used for weight initialisation when a module is given none. */
export const globalRandom = new Random(1);

/** Re-seeds {@link globalRandom}: call before building a model to get reproducible weights. */
export function manualSeed(seed: number): void {
  globalRandom.setState(seed);
}
