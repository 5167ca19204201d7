import { crc32 } from './crc32.js';
import { CheckpointError } from './errors.js';

/** The first 8 bytes of every checkpoint: `\x89SPCK\r\n\x1a` (PNG-style: catches text-mode mangling). */
export const MAGIC = Uint8Array.of(0x89, 0x53, 0x50, 0x43, 0x4b, 0x0d, 0x0a, 0x1a);

/** The container format this build writes and reads. */
export const FORMAT_VERSION = 1;

/** Magic, version, header length, data length. */
const PRELUDE_BYTES = 20;
/** The CRC-32 at the end. */
const TRAILER_BYTES = 4;

/** A decoded container: the parsed header JSON (not yet validated) and the raw data section. */
export interface Container {
  header: unknown;
  data: Uint8Array;
}

/**
 * Lays out a checkpoint (all integers unsigned 32-bit little-endian):
 * ```
 * 0        magic (8 bytes)
 * 8        format version
 * 12       header length H (bytes)
 * 16       data length D (bytes)
 * 20       header: UTF-8 JSON, H bytes
 * 20+H     data: D bytes (the tensors, at the offsets the header's directory gives)
 * 20+H+D   CRC-32 of every byte before it
 * ```
 * @throws CheckpointError when the header or data is 4 GiB or larger.
 */
export function encodeContainer(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  if (json.length > 0xffffffff || data.length > 0xffffffff) throw new CheckpointError('header or data of 4 GiB or more cannot be stored');
  const bytes = new Uint8Array(PRELUDE_BYTES + json.length + data.length + TRAILER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, data.length, true);
  bytes.set(json, PRELUDE_BYTES);
  bytes.set(data, PRELUDE_BYTES + json.length);
  const end = bytes.length - TRAILER_BYTES;
  view.setUint32(end, crc32(bytes.subarray(0, end)), true);
  return bytes;
}

/**
 * Checks and splits a checkpoint laid out by {@link encodeContainer}: magic, version, lengths
 * and checksum are verified before the header is parsed, so corrupted or truncated bytes never
 * reach a model.
 * @throws CheckpointError naming the first check that failed.
 */
export function decodeContainer(bytes: Uint8Array): Container {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`expected bytes (a Uint8Array); got ${typeof bytes}`);
  if (bytes.length < PRELUDE_BYTES + TRAILER_BYTES || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CheckpointError(`not a sigprop checkpoint (${bytes.length} bytes without the checkpoint signature)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw new CheckpointError(`format version ${version} is not supported; this build reads version ${FORMAT_VERSION}`);
  const headerLength = view.getUint32(12, true);
  const dataLength = view.getUint32(16, true);
  const expected = PRELUDE_BYTES + headerLength + dataLength + TRAILER_BYTES;
  if (bytes.length !== expected) {
    throw new CheckpointError(`${bytes.length < expected ? 'truncated' : 'trailing bytes'}: ${bytes.length} bytes where the prelude announces ${expected}`);
  }
  const end = bytes.length - TRAILER_BYTES;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) throw new CheckpointError(`corrupted: checksum ${hex(actual)} where ${hex(stored)} was stored`);
  return { header: parseJson(bytes.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headerLength)), data: bytes.subarray(PRELUDE_BYTES + headerLength, end) };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CheckpointError(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
