/**
 * Number of elements of a shape: the product of its dimensions (1 for `[]`).
 * Port of the reference's `sigprop.utils.shape_numel`.
 * @throws Error when a dimension is not a non-negative integer.
 */
export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (const [i, d] of shape.entries()) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`shapeNumel: dimension ${i} of [${shape.join(', ')}] is ${d}; expected a non-negative integer`);
    }
    n *= d;
  }
  return n;
}

/** Formats a shape for error messages: `[6, 5]`. */
export function formatShape(shape: readonly number[] | null | undefined): string {
  return shape ? `[${shape.join(', ')}]` : 'null';
}
