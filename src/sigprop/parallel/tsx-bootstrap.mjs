// Entry of a worker thread started from TypeScript sources (tests, tsx): installs the tsx
// loader in this thread, then loads the real worker module given in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsxEntry);
