import { Worker } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts a worker thread from a module next to the caller, given without extension
 * (`spawnModuleWorker(import.meta.url, './worker')`). From the compiled `dist/` it runs the `.js`
 * file directly; from TypeScript sources (tests, `tsx`) it starts through a bootstrap that
 * installs the tsx loader in the new thread first (Node 20 workers ignore `--import`).
 */
export function spawnModuleWorker(callerUrl: string, relativeModule: string): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`${relativeModule}${ext}`, callerUrl);
  if (ext !== '.ts') return new Worker(url);
  return new Worker(new URL('./tsx-bootstrap.mjs', import.meta.url), { workerData: { tsxEntry: url.href } });
}
