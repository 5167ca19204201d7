/**
 * One memory reading of a server running in this process: the process (RSS, V8 heap, external
 * and ArrayBuffer memory), the main thread's tfjs registry (the prediction copies of the models)
 * and the server's own Prometheus view of the process.
 */
import * as tf from '@tensorflow/tfjs';

/** Memory at one moment, in MiB (tensors as a count). */
export interface MemorySample {
  /** Items the model had learned. */
  learned: number;
  seconds: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Main-thread `tf.memory()`. */
  tensors: number;
  tensorMiB: number;
  /** `sigprop_process_resident_memory_bytes` and `sigprop_nodejs_heap_size_used_bytes` of `/metrics`. */
  promRss: number;
  promHeapUsed: number;
}

const MIB = 2 ** 20;

/** Reads the memory now (the server's `/metrics` at `url`); `learned` and `seconds` describe the moment. */
export async function sampleMemory(url: string, learned: number, seconds: number): Promise<MemorySample> {
  const exposition = await (await fetch(`${url}/metrics`)).text();
  const usage = process.memoryUsage();
  const tensors = tf.memory();
  return {
    learned,
    seconds,
    rss: usage.rss / MIB,
    heapUsed: usage.heapUsed / MIB,
    external: usage.external / MIB,
    arrayBuffers: usage.arrayBuffers / MIB,
    tensors: tensors.numTensors,
    tensorMiB: tensors.numBytes / MIB,
    promRss: gauge(exposition, 'sigprop_process_resident_memory_bytes') / MIB,
    promHeapUsed: gauge(exposition, 'sigprop_nodejs_heap_size_used_bytes') / MIB,
  };
}

/** The value of an unlabelled gauge in a Prometheus exposition (NaN when absent). */
function gauge(exposition: string, name: string): number {
  const match = exposition.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return match ? Number(match[1]) : Number.NaN;
}
