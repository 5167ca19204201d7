/**
 * A labelled dataset in memory: `count` samples of `features` float32 values each (row-major in
 * `x`), integer labels in `y` (`-1` for an unlabelled sample), and the shape of one sample.
 */
export interface Dataset {
  name: string;
  count: number;
  /** Shape of one sample, e.g. `[784]` or `[28, 28, 1]`. */
  shape: number[];
  features: number;
  x: Float32Array;
  y: Int32Array;
}

/** A dataset file that could not be read: says which file, where in it, and what was wrong. */
export class DatasetError extends Error {
  readonly code = 'bad_dataset';

  constructor(
    readonly file: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${file}${where ? ` (${where})` : ''}: ${detail}`);
  }
}

/** Sample `i`'s features (a view, no copy). */
export function sample(dataset: Dataset, i: number): Float32Array {
  return dataset.x.subarray(i * dataset.features, (i + 1) * dataset.features);
}
