/**
 * Runs one step of a benchmark in a fresh process and hands back its result (a JSON object). Steps that load
 * the native kernels (a library run, a server hosted in-process for a breakdown) run this way so
 * that the benchmark's own process never has OpenBLAS threads when it forks its next child
 * (OpenBLAS's fork handler can deadlock then), and every measurement starts from a cold process.
 *   node --import tsx scripts/bench/fresh-process.ts <step> '<JSON arguments>'
 */
import { fileURLToPath } from 'node:url';
import { runJson } from './child.js';
import type { LibraryRun } from './library-rate.js';

/** The steps, with their JSON arguments (the inputs are loaded by the step itself). */
const STEPS = {
  'library-rate': async (args: Omit<LibraryRun, 'data'>) => {
    const [{ libraryThroughput }, { benchData }] = await Promise.all([import('./library-rate.js'), import('./bench-data.js')]);
    return { samplesPerS: await libraryThroughput({ ...args, data: benchData() }) };
  },
  'latency-breakdown': async (args: { model: string; settings: { binary: boolean; predictions: number; producers: number } }) => {
    const [{ latencyBreakdown }, { parseModels }] = await Promise.all([import('./latency-breakdown.js'), import('./bench-models.js')]);
    return { breakdowns: await latencyBreakdown(parseModels(args.model)[0], args.settings) };
  },
  'server-breakdown': async (args: { model: string; settings: { producers: number; seconds: number } }) => {
    const [{ serverBreakdown }, { parseModels }, { benchData }] = await Promise.all([import('./server-breakdown.js'), import('./bench-models.js'), import('./bench-data.js')]);
    return serverBreakdown(parseModels(args.model)[0], benchData(), args.settings);
  },
};

/** A step's name. */
export type Step = keyof typeof STEPS;

/** Runs `step` with `args` in a fresh process. @throws Error when it fails. */
export function inFreshProcess<S extends Step>(step: S, args: Parameters<(typeof STEPS)[S]>[0]): Promise<Awaited<ReturnType<(typeof STEPS)[S]>>> {
  return runJson(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), step, JSON.stringify(args)]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [step, json] = process.argv.slice(2) as [Step, string];
  if (!(step in STEPS)) throw new Error(`fresh-process: unknown step '${step}'; expected ${Object.keys(STEPS).join(', ')}`);
  const result = await STEPS[step](JSON.parse(json));
  console.log(JSON.stringify(result));
  process.exit(0);
}
