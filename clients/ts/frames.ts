import { encodeFrame } from '../../src/server/ws/binary.js';

/** One input: `prod(inputShape)` numbers, row-major (NHWC for images). */
export type Input = ArrayLike<number>;

/** A client → server frame: JSON text, or a binary frame (Float32 inputs, see `src/server/ws/binary.ts`). */
export type Frame = string | Uint8Array;

/** The frame of a labelled item. */
export function learnFrame(id: string, x: Input, y: number, binary: boolean): Frame {
  return binary
    ? encodeFrame({ op: 'learn', items: [{ id, x: toFloat32(x), y }] })
    : JSON.stringify({ op: 'learn', id, x: Array.from(x), y });
}

/** The frame of an unlabelled item (a prediction query). */
export function predictFrame(id: string, x: Input, binary: boolean): Frame {
  return binary ? encodeFrame({ op: 'predict', items: [{ id, x: toFloat32(x) }] }) : JSON.stringify({ op: 'predict', id, x: Array.from(x) });
}

/** The frame of a delayed label for an earlier prediction. */
export function labelFrame(id: string, predictionId: string, y: number, binary: boolean): Frame {
  return binary
    ? encodeFrame({ op: 'label', items: [{ id, predictionId, y }] })
    : JSON.stringify({ op: 'label', id, predictionId, y });
}

/** The frame that sets the connection's live topics (`[]`: none). */
export function subscribeFrame(id: string, topics: readonly string[]): Frame {
  return JSON.stringify({ op: 'subscribe', id, topics });
}

function toFloat32(x: Input): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}
