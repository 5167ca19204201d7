import { ProtocolError } from '../errors.js';

/**
 * Binary frame codec of protocol v1 (Float32 inputs for high-rate producers). Shared with the
 * client SDK: no Node-only imports (works in browsers). Layout, all little-endian
 * (docs/protocol.md has the same table):
 *
 * Header, 8 bytes:
 *   0  u8   version = 1
 *   1  u8   op: 1 = learn, 2 = predict, 3 = label
 *   2  u16  flags = 0 (reserved)
 *   4  u32  count: items in the frame (≥ 1)
 * Then `count` items, each starting 4-byte aligned:
 *   0  u16  idLength: bytes of the UTF-8 item id (0: no id)
 *   2  u16  refLength: bytes of the UTF-8 predictionId (label items; 0 otherwise)
 *   4  i32  y: class label (−1: none — predict items)
 *   8  u32  n: float32 values that follow (learn/predict: prod(inputShape); label: 0)
 *  12  id bytes, predictionId bytes, zero padding to a multiple of 4
 *      n × float32
 * The frame ends exactly after the last item.
 */

/** Frame format version written in byte 0. */
export const BINARY_VERSION = 1;

/** Op codes of byte 1. */
export const BINARY_OPS = { learn: 1, predict: 2, label: 3 } as const;
export type BinaryOp = keyof typeof BINARY_OPS;

/** One item of a binary frame; which fields are present depends on the op. */
export interface BinaryItem {
  /** The client's item id (echoed in its reply). */
  id?: string;
  /** Input values (learn, predict). */
  x?: Float32Array;
  /** Class label (learn, label). */
  y?: number;
  /** The prediction a label is for (label). */
  predictionId?: string;
}

/** A decoded binary frame: one op, one or more items. */
export interface BinaryFrame {
  op: BinaryOp;
  items: BinaryItem[];
}

const HEADER_BYTES = 8;
const ITEM_HEADER_BYTES = 12;
const NO_LABEL = -1;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const OP_NAMES = new Map<number, BinaryOp>(Object.entries(BINARY_OPS).map(([name, code]) => [code, name as BinaryOp]));

/**
 * Encodes a frame.
 * @throws RangeError when an id or predictionId exceeds 65535 UTF-8 bytes, or a label is not an int32.
 */
export function encodeFrame(frame: BinaryFrame): Uint8Array {
  const encoder = new TextEncoder();
  const parts = frame.items.map((item) => ({
    id: encoder.encode(item.id ?? ''),
    ref: encoder.encode(item.predictionId ?? ''),
    x: item.x ?? new Float32Array(0),
    y: item.y ?? NO_LABEL,
  }));
  const size = parts.reduce((sum, p) => sum + ITEM_HEADER_BYTES + pad4(p.id.length + p.ref.length) + 4 * p.x.length, HEADER_BYTES);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, BINARY_VERSION);
  view.setUint8(1, BINARY_OPS[frame.op]);
  view.setUint16(2, 0, true);
  view.setUint32(4, parts.length, true);
  let at = HEADER_BYTES;
  for (const p of parts) {
    if (p.id.length > 0xffff || p.ref.length > 0xffff) throw new RangeError('an id or predictionId exceeds 65535 bytes');
    if (!Number.isInteger(p.y) || p.y < -0x80000000 || p.y > 0x7fffffff) throw new RangeError(`label ${p.y} is not an int32`);
    view.setUint16(at, p.id.length, true);
    view.setUint16(at + 2, p.ref.length, true);
    view.setInt32(at + 4, p.y, true);
    view.setUint32(at + 8, p.x.length, true);
    bytes.set(p.id, at + ITEM_HEADER_BYTES);
    bytes.set(p.ref, at + ITEM_HEADER_BYTES + p.id.length);
    at += ITEM_HEADER_BYTES + pad4(p.id.length + p.ref.length);
    for (let i = 0; i < p.x.length; i++) view.setFloat32(at + 4 * i, p.x[i], true);
    at += 4 * p.x.length;
  }
  return bytes;
}

/**
 * Decodes a frame (the values are copied: the result does not alias `bytes`). Values are not
 * checked for finiteness or length here; the server checks them against the model.
 * @throws ProtocolError `unknown_op` (op byte), `missing_field` (learn item without label, label
 *   item without predictionId) or `bad_shape` (version, flags, truncation, trailing bytes,
 *   invalid UTF-8, fields an op does not take), with the item's `index`.
 */
export function decodeFrame(bytes: Uint8Array): BinaryFrame {
  if (bytes.length < HEADER_BYTES) throw shape(`binary frame has ${bytes.length} bytes; the header needs ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== BINARY_VERSION) throw shape(`binary frame version is ${version}; expected ${BINARY_VERSION}`);
  const op = OP_NAMES.get(view.getUint8(1));
  if (!op) throw new ProtocolError('unknown_op', `binary op byte is ${view.getUint8(1)}; expected 1 (learn), 2 (predict) or 3 (label)`);
  if (view.getUint16(2, true) !== 0) throw shape('binary frame flags must be 0');
  const count = view.getUint32(4, true);
  if (count === 0) throw shape('binary frame has 0 items; expected at least 1');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const items: BinaryItem[] = [];
  let at = HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    const [item, next] = decodeItem(bytes, view, at, op, index, decoder);
    items.push(item);
    at = next;
  }
  if (at !== bytes.length) throw shape(`binary frame has ${bytes.length - at} bytes after its ${count} items`);
  return { op, items };
}

/** Decodes the item at `at`; returns it and the offset of the next one. */
function decodeItem(bytes: Uint8Array, view: DataView, at: number, op: BinaryOp, index: number, decoder: TextDecoder): [BinaryItem, number] {
  need(bytes, at + ITEM_HEADER_BYTES, index);
  const idLength = view.getUint16(at, true);
  const refLength = view.getUint16(at + 2, true);
  const y = view.getInt32(at + 4, true);
  const n = view.getUint32(at + 8, true);
  const textAt = at + ITEM_HEADER_BYTES;
  const xAt = textAt + pad4(idLength + refLength);
  need(bytes, xAt + 4 * n, index);
  const item: BinaryItem = {};
  if (idLength > 0) item.id = text(decoder, bytes.subarray(textAt, textAt + idLength), 'id', index);
  try {
    if (op === 'label') {
      if (refLength === 0) throw new ProtocolError('missing_field', `item ${index}: predictionId is missing`, index);
      if (n !== 0) throw shape(`item ${index}: label items carry no input (n = ${n}; expected 0)`, index);
      item.predictionId = text(decoder, bytes.subarray(textAt + idLength, textAt + idLength + refLength), 'predictionId', index);
    } else {
      if (refLength !== 0) throw shape(`item ${index}: only label items carry a predictionId`, index);
      item.x = floats(bytes, view, xAt, n);
    }
    if (op === 'predict') {
      if (y !== NO_LABEL) throw shape(`item ${index}: predict items carry y = -1 (got ${y})`, index);
    } else {
      if (y === NO_LABEL) throw new ProtocolError('missing_field', `item ${index}: y is missing (-1)`, index);
      item.y = y;
    }
  } catch (error) {
    // The reply names the offending item by its id too, once that could be read.
    if (error instanceof ProtocolError && item.id !== undefined) throw new ProtocolError(error.code, error.message, error.index, item.id);
    throw error;
  }
  return [item, xAt + 4 * n];
}

/** Copies `n` little-endian float32 values starting at `at`. */
function floats(bytes: Uint8Array, view: DataView, at: number, n: number): Float32Array {
  if (LITTLE_ENDIAN_HOST) {
    const start = bytes.byteOffset + at;
    return new Float32Array(bytes.buffer.slice(start, start + 4 * n));
  }
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = view.getFloat32(at + 4 * i, true);
  return x;
}

function text(decoder: TextDecoder, slice: Uint8Array, field: string, index: number): string {
  try {
    return decoder.decode(slice);
  } catch {
    throw shape(`item ${index}: ${field} is not valid UTF-8`, index);
  }
}

function need(bytes: Uint8Array, end: number, index: number): void {
  if (end > bytes.length) throw shape(`binary frame ends at byte ${bytes.length}; item ${index} needs ${end}`, index);
}

function pad4(length: number): number {
  return (length + 3) & ~3;
}

function shape(message: string, index?: number): ProtocolError {
  return new ProtocolError('bad_shape', message, index);
}
