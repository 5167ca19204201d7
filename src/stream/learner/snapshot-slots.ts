/** Most sets of shared snapshot arrays per model: one being filled, one waiting to be loaded, one being loaded. */
const MAX_SLOTS = 3;

/**
 * The arrays weight snapshots are written into, over shared memory and reused round and round:
 * the learner's stages fill a set, the prediction thread loads it and hands it back. Neither
 * side allocates, and nothing is transferred, so publishing ten 12 MB snapshots a second makes
 * no garbage (new arrays every time kept every thread's collector busy: measured server
 * throughput 0.57–0.69× the library with them, 0.88–0.90× without snapshots).
 */
export class SnapshotSlots {
  private readonly free: Float32Array[][] = [];
  private sizes: number[] | null = null;
  private made = 0;

  /** Learns the variables' sizes from a snapshot (the first one published). */
  sizeFrom(arrays: readonly Float32Array[]): void {
    this.sizes ??= arrays.map((a) => a.length);
  }

  /**
   * A free set to fill, a new one while fewer than {@link MAX_SLOTS} exist, or `[]` (the stages
   * then make plain arrays) before the sizes are known or while every set is in use.
   */
  take(): Float32Array[] {
    const set = this.free.pop();
    if (set) return set;
    if (!this.sizes || this.made >= MAX_SLOTS) return [];
    this.made += 1;
    return sharedArrays(this.sizes);
  }

  /** Returns a set after it was loaded; plain (unshared) arrays are not kept. */
  give(arrays: readonly Float32Array[]): void {
    if (arrays.length > 0 && arrays.every((a) => a.buffer instanceof SharedArrayBuffer)) this.free.push([...arrays]);
  }
}

/** Float32Arrays of the given lengths, views of one SharedArrayBuffer. */
function sharedArrays(sizes: readonly number[]): Float32Array[] {
  const memory = new SharedArrayBuffer(sizes.reduce((a, b) => a + b, 0) * Float32Array.BYTES_PER_ELEMENT);
  let offset = 0;
  return sizes.map((size) => {
    const view = new Float32Array(memory, offset * Float32Array.BYTES_PER_ELEMENT, size);
    offset += size;
    return view;
  });
}
