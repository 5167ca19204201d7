import * as tf from '@tensorflow/tfjs';
import { Generator } from './generator.js';
import { formatShape } from '../utils/shape.js';
import type { SignalInput, SignalOutput } from './types.js';
import { DIGIT_GLYPHS } from './digit-glyphs.js';

/**
 * A fixed, unlearned signal: draws each label's decimal digits as 7×7 glyphs (values ±1,
 * area-averaged to the cell size m×m, m = ⌊√(H·W / places)⌋) left to right into a zero image of
 * the input's shape, every channel alike. `h` passes through. Reference: `FixedDrawContext`
 * (same glyphs and placement: a digit is drawn while the next cell fits in the row, otherwise
 * the cursor wraps without drawing that digit, as the reference does).
 * @param places how many digit cells the image is divided into.
 * Input `h` NHWC `[N, H, W, C]`, target integer labels `[N]` → `t1` `[N, H, W, C]`.
 * @throws Error when `h` is not 4-d or a label is not a non-negative integer.
 */
export class FixedDrawContext extends Generator {
  constructor(readonly places: number) {
    super();
  }

  forward({ h, t }: SignalInput): SignalOutput {
    if (h.rank !== 4) throw new Error(`FixedDrawContext: h has shape ${formatShape(h.shape)}; expected NHWC [N, H, W, C]`);
    if (t === null) return { h1: h, t1: null, h0: h, t0: t };
    const [, height, width, channels] = h.shape;
    const labels = Array.from(t.dataSync());
    const images = labels.map((label, i) => drawNumber(label, i, height, width, this.places));
    const t1 = tf.tidy(() => tf.tensor3d(concat(images), [labels.length, height, width]).expandDims(3).tile([1, 1, 1, channels]));
    return { h1: h, t1, h0: h, t0: t };
  }
}

/** Draws one label's digits into an H×W image (row-major). */
function drawNumber(label: number, index: number, height: number, width: number, places: number): Float32Array {
  if (!Number.isInteger(label) || label < 0) {
    throw new Error(`FixedDrawContext: label[${index}] is ${label}; expected a non-negative integer`);
  }
  const image = new Float32Array(height * width);
  const m = Math.floor(Math.sqrt(Math.floor((height * width) / places)));
  let row = 0;
  let col = 0;
  for (const digit of String(label)) {
    if (row + m < height) {
      const cell = averagePool(DIGIT_GLYPHS[Number(digit)], m);
      for (let r = 0; r < m; r++) for (let c = 0; c < m && col + c < width; c++) image[(row + r) * width + col + c] = cell[r * m + c];
      row += m;
    } else {
      row = 0;
      col += m;
    }
  }
  return image;
}

/** PyTorch `adaptive_avg_pool2d` of a 7×7 glyph (0/1 → ±1) to m×m. */
function averagePool(glyph: readonly (readonly number[])[], m: number): Float32Array {
  const n = glyph.length;
  const out = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    const r0 = Math.floor((i * n) / m);
    const r1 = Math.ceil(((i + 1) * n) / m);
    for (let j = 0; j < m; j++) {
      const c0 = Math.floor((j * n) / m);
      const c1 = Math.ceil(((j + 1) * n) / m);
      let sum = 0;
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) sum += glyph[r][c] * 2 - 1;
      out[i * m + j] = sum / ((r1 - r0) * (c1 - c0));
    }
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
