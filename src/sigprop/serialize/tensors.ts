import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier/classifier.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { formatShape } from '../utils/shape.js';
import { CheckpointError } from './errors.js';

/** A tensor under its stable checkpoint name. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** `weights/<parameter path>`: a model variable (weights, norm statistics). */
function weightName(path: string): string {
  return `weights/${path}`;
}

/** `optimizers/<optimizer>/<key>` where key is a scalar's name or `<slot>/<parameter path>`. */
function optimizerName(optimizer: string, key: string): string {
  return `optimizers/${optimizer}/${key}`;
}

/**
 * Every tensor a checkpoint of `classifier` keeps, live (the classifier's own tensors: clone to
 * snapshot, never dispose): each model variable under `weights/<path>`, then each optimizer's
 * scalars and slots. Names use `model.namedParameters()` paths, never tfjs variable names
 * (those differ between instances), and slots keep their tfjs order.
 */
export function checkpointTensors(classifier: Classifier): NamedTensor[] {
  const parameters = classifier.built.model.namedParameters();
  const paths = new Map(parameters.map(([path, v]) => [v, path]));
  const weights = parameters.map(([path, tensor]) => ({ name: weightName(path), tensor }));
  return [...weights, ...classifier.optimizers().flatMap(([name, optimizer]) => stateTensors(name, optimizer.exportState(), paths))];
}

function stateTensors(optimizer: string, state: OptimizerState, paths: Map<tf.Variable, string>): NamedTensor[] {
  const scalars = Object.entries(state.scalars).map(([key, tensor]) => ({ name: optimizerName(optimizer, key), tensor }));
  const slots = Object.entries(state.slots).flatMap(([slot, list]) =>
    list.map(({ variable, value }) => ({ name: optimizerName(optimizer, `${slot}/${paths.get(variable)}`), tensor: value })),
  );
  return [...scalars, ...slots];
}

/**
 * Loads checkpoint tensors into a classifier freshly built from the checkpoint's config: every
 * model variable, then every optimizer's state. All names and shapes are checked against the
 * classifier before anything is assigned.
 * @param tensors the checkpoint's tensors by name, in directory order (not disposed here).
 * @param iterations steps taken by each optimizer, by name.
 * @throws CheckpointError when the tensors do not fit the model the config builds (a variable
 *   missing or of another shape, an unknown optimizer or tensor, a slot that does not fit).
 */
export function restoreTensors(classifier: Classifier, tensors: Map<string, tf.Tensor>, iterations: Map<string, number>): void {
  const weights = matchWeights(classifier, tensors);
  const optimizers = classifier.optimizers();
  const names = optimizers.map(([name]) => name);
  if (names.length !== iterations.size || names.some((n) => !iterations.has(n))) {
    throw new CheckpointError(`optimizers [${[...iterations.keys()].join(', ')}] do not match the model's [${names.join(', ')}]`);
  }
  const states = optimizers.map(([name, optimizer]) => [optimizer, optimizerState(classifier, name, optimizer, tensors, iterations.get(name) as number)] as const);
  const unused = [...tensors.keys()].filter((n) => !n.startsWith('weights/') && !names.some((o) => n.startsWith(optimizerName(o, ''))));
  if (unused.length > 0) throw new CheckpointError(`tensors the model does not have: ${unused.join(', ')}`);
  for (const [variable, value] of weights) variable.assign(value);
  for (const [optimizer, state] of states) {
    try {
      optimizer.importState(state);
    } catch (error) {
      throw new CheckpointError((error as Error).message);
    }
  }
}

/** Pairs every model variable with its stored tensor. @throws CheckpointError on any mismatch. */
function matchWeights(classifier: Classifier, tensors: Map<string, tf.Tensor>): Array<[tf.Variable, tf.Tensor]> {
  const parameters = classifier.built.model.namedParameters();
  const problems: string[] = [];
  const pairs: Array<[tf.Variable, tf.Tensor]> = [];
  for (const [path, variable] of parameters) {
    const stored = tensors.get(weightName(path));
    if (!stored) problems.push(`${weightName(path)} is missing`);
    else if (!sameShape(stored.shape, variable.shape)) {
      problems.push(`${weightName(path)} has shape ${formatShape(stored.shape)}; the config builds ${formatShape(variable.shape)}`);
    } else pairs.push([variable, stored]);
  }
  const known = new Set(parameters.map(([path]) => weightName(path)));
  for (const name of tensors.keys()) if (name.startsWith('weights/') && !known.has(name)) problems.push(`${name} is not a variable of the model`);
  if (problems.length > 0) throw new CheckpointError(`the weights do not match the model the config builds: ${problems.join('; ')}`);
  return pairs;
}

/**
 * An optimizer's state from the tensors under `optimizers/<name>/`, in stored order.
 * @throws CheckpointError when a slot names a parameter path the model does not have.
 */
function optimizerState(classifier: Classifier, name: string, optimizer: Optimizer, tensors: Map<string, tf.Tensor>, iterations: number): OptimizerState {
  const variables = new Map(classifier.built.model.namedParameters());
  const state: OptimizerState = { iterations, scalars: {}, slots: {} };
  const prefix = optimizerName(name, '');
  for (const [key, tensor] of tensors) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      state.scalars[rest] = tensor;
      continue;
    }
    const [slot, path] = [rest.slice(0, slash), rest.slice(slash + 1)];
    const variable = variables.get(path);
    if (!variable || !optimizer.variables.includes(variable)) throw new CheckpointError(`${key}: optimizer ${name} does not train a parameter ${path}`);
    (state.slots[slot] ??= []).push({ variable, value: tensor });
  }
  // A checkpoint taken before the first step has no slot tensors: its slot lists are empty.
  for (const slot of Object.keys(optimizer.exportState().slots)) state.slots[slot] ??= [];
  return state;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
