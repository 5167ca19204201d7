import { StoreError } from './errors.js';

/**
 * Float32 vectors are stored as BLOBs of raw little-endian IEEE-754 bytes (4 bytes per value),
 * so files move between hosts and other tools (numpy `<f4`) read them directly. Conversion is a
 * byte copy, never a numeric conversion, so every bit pattern (−0, subnormals, NaN payloads)
 * round-trips exactly.
 */

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Bytes to bind for `x`. On little-endian hosts this is a view on `x`'s memory (no copy:
 * SQLite copies bound blobs itself), honouring `byteOffset` so views into bigger buffers work.
 */
export function encodeFloat32(x: Float32Array): Buffer {
  const view = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return HOST_IS_LITTLE_ENDIAN ? view : swapEvery4(view);
}

/**
 * A fresh Float32Array holding the values of a stored BLOB. Copies, because the blob's
 * `byteOffset` need not be a multiple of 4 and the caller may keep the result.
 * @throws StoreError `corrupt_data` if the length is not a multiple of 4 bytes.
 */
export function decodeFloat32(bytes: Uint8Array, where: string): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new StoreError('corrupt_data', `${where}: stored vector has ${bytes.byteLength} bytes, not a multiple of 4`);
  }
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(HOST_IS_LITTLE_ENDIAN ? bytes : swapEvery4(bytes));
  return out;
}

/** Reverses the byte order inside each 4-byte group (big-endian hosts only). */
function swapEvery4(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i++) out[i] = bytes[i ^ 3];
  return out;
}
