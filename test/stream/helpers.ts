import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { Engine, type EngineOptions } from '../../src/stream/engine.js';
import { StreamError, type StreamErrorCode } from '../../src/stream/errors.js';
import type { LearnItem } from '../../src/stream/types.js';
import { Random } from '../../src/sigprop/utils/random.js';

/** Backend of the engine tests (the production default on this project's machines). */
export const BACKEND = 'wasm' as const;

/** Features of {@link smallConfig}'s inputs. */
export const FEATURES = 16;
export const CLASSES = 4;

/**
 * A small model config (16 inputs, 4 classes, one hidden block of 16): an update takes well
 * under a millisecond, so tests are about the engine, not the maths. `overrides` replace whole
 * top-level sections (e.g. `checkpoint`, `batch`).
 */
export function smallConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inputShape: [FEATURES],
    classes: CLASSES,
    architecture: { name: 'mlp', numLayers: 1, numHidden: 16 },
    checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 100, keepEvery: 0 },
    ...overrides,
  };
}

/** A temp data folder per test, removed afterwards (engines opened through `open` are closed first). */
export function useEngines(): {
  dir: () => string;
  open: (options?: Partial<EngineOptions> & { dataDir?: string }) => Promise<Engine>;
} {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-stream-'));
    dirs.push(d);
    return d;
  };
  const open = async (options: Partial<EngineOptions> & { dataDir?: string } = {}) => {
    const engine = await Engine.open({ backend: BACKEND, defaultModel: false, ...options, dataDir: options.dataDir ?? dir() });
    engines.push(engine);
    return engine;
  };
  return { dir, open };
}

/** Reproducible labelled items: `clientId` `${prefix}${i}`, inputs uniform in [-1, 1), labels cycling. */
export function items(count: number, options: { seed?: number; prefix?: string; from?: number; features?: number } = {}): LearnItem[] {
  const random = new Random(options.seed ?? 7);
  const from = options.from ?? 0;
  const features = options.features ?? FEATURES;
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { clientId: `${options.prefix ?? 'item-'}${i}`, x: random.uniform(features, 1), y: i % CLASSES };
  });
}

/** One input vector (for predictions). */
export function input(seed = 99, features = FEATURES): Float32Array {
  return new Random(seed).uniform(features, 1);
}

/** The StreamError a promise rejects with (fails the test when it resolves or throws something else). */
export async function streamError(promise: Promise<unknown>): Promise<StreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StreamError) return error;
    throw error;
  }
  throw new Error('expected a StreamError, but the call succeeded');
}

/** The codes of a list of settled promises: `ok` for fulfilled ones. */
export function codes(results: PromiseSettledResult<unknown>[]): Array<StreamErrorCode | 'ok'> {
  return results.map((r) => {
    if (r.status === 'fulfilled') return 'ok';
    if (r.reason instanceof StreamError) return r.reason.code;
    throw r.reason;
  });
}

/** Resolves once the store work submitted so far (e.g. the recording of predictions) is committed. */
export function committed(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds (rejects after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
