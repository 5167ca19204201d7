import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError, type Dataset } from './dataset.js';

/** IDX element types (the MNIST file format's type byte). */
const IDX_TYPES: Record<number, { size: number; read: (v: DataView, o: number) => number }> = {
  0x08: { size: 1, read: (v, o) => v.getUint8(o) },
  0x09: { size: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { size: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { size: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { size: 8, read: (v, o) => v.getFloat64(o, false) },
};

/** A decoded IDX array: its dimensions and values. */
export interface IdxArray {
  dims: number[];
  values: Float64Array | Uint8Array;
}

/**
 * Reads an IDX file (MNIST / Fashion-MNIST format), gzip-compressed (`.gz`, detected by its magic
 * bytes) or raw. Unsigned-byte data is returned as a `Uint8Array` without conversion.
 * @throws DatasetError for a bad magic number, an unknown type, or a size that does not match the header.
 */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DatasetError(file, 'gzip', `cannot decompress: ${(e as Error).message}`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(file, 'header', 'not an IDX file: expected the magic bytes 00 00 <type> <rank>');
  }
  const type = IDX_TYPES[bytes[2]];
  if (!type) throw new DatasetError(file, 'header', `unknown IDX element type 0x${bytes[2].toString(16)}`);
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank) throw new DatasetError(file, 'header', `truncated: ${rank} dimensions announced`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (bytes.length !== offset + count * type.size) {
    throw new DatasetError(file, 'data', `expected ${count * type.size} data bytes for dimensions [${dims.join(', ')}]; found ${bytes.length - offset}`);
  }
  if (type.size === 1 && bytes[2] === 0x08) return { dims, values: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, count) };
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = type.read(view, offset + i * type.size);
  return { dims, values };
}

/**
 * Loads an IDX image file and its label file as a dataset. Pixels are scaled to [0, 1]
 * (÷255 for byte images); each image is flattened to `rows·cols` features.
 * @throws DatasetError when the files disagree on the number of samples or are not images/labels.
 */
export function loadIdxDataset(imagesFile: string, labelsFile: string, name = imagesFile): Dataset {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dims.length < 2) throw new DatasetError(imagesFile, 'header', `expected images [N, rows, cols]; got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new DatasetError(labelsFile, 'header', `expected labels [N]; got [${labels.dims.join(', ')}]`);
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new DatasetError(labelsFile, 'header', `${labels.dims[0]} labels for ${count} images in ${imagesFile}`);
  }
  const features = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const scale = images.values instanceof Uint8Array ? 1 / 255 : 1;
  const x = Float32Array.from(images.values, (v) => v * scale);
  const y = Int32Array.from(labels.values);
  y.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0) throw new DatasetError(labelsFile, `record ${i + 1}`, `label ${v} is not a non-negative integer`);
  });
  return { name, count, shape: [features], features, x, y };
}
