import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/server/errors.js';
import { BINARY_VERSION, decodeFrame, encodeFrame } from '../../src/server/ws/binary.js';

function codeOf(bytes: Uint8Array): string {
  try {
    decodeFrame(bytes);
  } catch (error) {
    return (error as ProtocolError).code;
  }
  return 'decoded';
}

describe('binary frame codec', () => {
  it('round-trips learn, predict and label frames', () => {
    const learn = { op: 'learn' as const, items: [{ id: 'a', x: Float32Array.of(1.5, -2, 3), y: 2 }, { x: Float32Array.of(0, 0, 1), y: 0 }] };
    expect(decodeFrame(encodeFrame(learn))).toEqual(learn);
    const predict = { op: 'predict' as const, items: [{ id: 'ünïcode-id', x: Float32Array.of(Number.NaN, 1) }] };
    const decoded = decodeFrame(encodeFrame(predict));
    expect(decoded.items[0].id).toBe('ünïcode-id');
    expect(Number.isNaN(decoded.items[0].x![0])).toBe(true);
    const label = { op: 'label' as const, items: [{ id: 'l', predictionId: '6c1f-uuid', y: 9 }] };
    expect(decodeFrame(encodeFrame(label))).toEqual(label);
  });

  it('writes the documented little-endian layout', () => {
    const bytes = encodeFrame({ op: 'learn', items: [{ id: 'ab', x: Float32Array.of(1), y: 3 }] });
    const view = new DataView(bytes.buffer);
    expect([view.getUint8(0), view.getUint8(1), view.getUint16(2, true), view.getUint32(4, true)]).toEqual([BINARY_VERSION, 1, 0, 1]);
    expect([view.getUint16(8, true), view.getUint16(10, true), view.getInt32(12, true), view.getUint32(16, true)]).toEqual([2, 0, 3, 1]);
    expect(new TextDecoder().decode(bytes.subarray(20, 22))).toBe('ab');
    expect(view.getFloat32(24, true)).toBe(1);
    expect(bytes.length).toBe(28);
  });

  it('decodes from an unaligned view of a larger buffer', () => {
    const frame = encodeFrame({ op: 'predict', items: [{ x: Float32Array.of(0.25, 0.5) }] });
    const padded = new Uint8Array(frame.length + 3);
    padded.set(frame, 3);
    expect(decodeFrame(padded.subarray(3)).items[0].x).toEqual(Float32Array.of(0.25, 0.5));
  });

  it('refuses malformed frames with protocol codes', () => {
    const good = encodeFrame({ op: 'learn', items: [{ x: Float32Array.of(1), y: 1 }] });
    const mutate = (at: number, value: number) => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    expect(codeOf(good.subarray(0, 5))).toBe('bad_shape');
    expect(codeOf(mutate(0, 2))).toBe('bad_shape');
    expect(codeOf(mutate(1, 7))).toBe('unknown_op');
    expect(codeOf(mutate(2, 1))).toBe('bad_shape');
    expect(codeOf(mutate(4, 0))).toBe('bad_shape');
    expect(codeOf(good.subarray(0, good.length - 1))).toBe('bad_shape');
    expect(codeOf(Uint8Array.from([...good, 0, 0, 0, 0]))).toBe('bad_shape');
    expect(codeOf(encodeFrame({ op: 'learn', items: [{ x: Float32Array.of(1) }] }))).toBe('missing_field');
    expect(codeOf(encodeFrame({ op: 'label', items: [{ y: 1 }] }))).toBe('missing_field');
    expect(codeOf(encodeFrame({ op: 'predict', items: [{ x: Float32Array.of(1), y: 2 }] }))).toBe('bad_shape');
    const badUtf8 = encodeFrame({ op: 'predict', items: [{ id: 'zz', x: Float32Array.of(1) }] });
    badUtf8[20] = 0xff;
    expect(codeOf(badUtf8)).toBe('bad_shape');
  });

  it('names the offending item by index and, once readable, by its id', () => {
    const frame = encodeFrame({ op: 'learn', items: [{ id: 'ok', x: Float32Array.of(1), y: 0 }, { id: 'no-label', x: Float32Array.of(1) }] });
    expect(() => decodeFrame(frame)).toThrow(expect.objectContaining({ code: 'missing_field', index: 1, id: 'no-label' }));
    const anonymous = encodeFrame({ op: 'predict', items: [{ x: Float32Array.of(1), y: 2 }] });
    expect(() => decodeFrame(anonymous)).toThrow(expect.objectContaining({ code: 'bad_shape', index: 0, id: undefined }));
  });
});
