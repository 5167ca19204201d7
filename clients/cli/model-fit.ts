import { DatasetError, type Dataset } from '../datasets/dataset.js';
import type { ModelStatus } from '../ts/index.js';

/**
 * Checks, before anything is sent, that a dataset's samples fit a model: the number of features
 * (the product of its input shape) and, for labelled samples, the label range.
 * @throws DatasetError naming the first record that does not fit.
 */
export function assertFits(dataset: Dataset, model: ModelStatus): void {
  const { inputShape, classes } = model.config;
  const features = inputShape.reduce((a, b) => a * b, 1);
  if (dataset.features !== features) {
    throw new DatasetError(dataset.name, '', `samples have ${dataset.features} features; model '${model.name}' expects ${features} (input shape [${inputShape.join(', ')}])`);
  }
  const bad = dataset.y.findIndex((y) => y >= classes);
  if (bad >= 0) throw new DatasetError(dataset.name, `record ${bad + 1}`, `label ${dataset.y[bad]} is outside the classes 0–${classes - 1} of model '${model.name}'`);
}
