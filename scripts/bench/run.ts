/**
 * Entry of the benchmarks (issue 7): `npm run bench -- <benchmark> [options]`. Each benchmark is
 * a module exporting `summary` (one line) and `main(argv)`; add one by adding it to BENCHMARKS.
 * Benchmarks are scripts that print Markdown for BENCHMARKS.md, never timed unit tests.
 */
const BENCHMARKS: Record<string, () => Promise<{ summary: string; main(argv: string[]): Promise<void> }>> = {
  library: () => import('./library.js'),
  server: () => import('./server.js'),
  latency: () => import('./latency.js'),
  memory: () => import('./memory.js'),
};

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || !(name in BENCHMARKS)) {
  const lines = await Promise.all(Object.entries(BENCHMARKS).map(async ([n, load]) => `  ${n.padEnd(10)} ${(await load()).summary}`));
  console.error(['usage: npm run bench -- <benchmark> [options]', ...lines].join('\n'));
  process.exitCode = name === undefined || name === '--help' ? 0 : 1;
} else {
  await (await BENCHMARKS[name]()).main(rest);
}
