/**
 * The transfer list for typed arrays sent to another thread: their buffers, each once, except
 * shared ones (a SharedArrayBuffer cannot be transferred; a view of it reaches the other thread
 * as a view of the same memory).
 */
export function transferList(arrays: ReadonlyArray<{ buffer: ArrayBufferLike }>): ArrayBuffer[] {
  const list = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) list.add(a.buffer);
  return [...list];
}
