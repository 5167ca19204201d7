import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A built file of the dashboard: its bytes and content type. */
export interface StaticFile {
  body: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * The dashboard's sources in `clients/dashboard` of the package (found from this file, under
 * `src/` with tsx as under `dist/` after a build).
 */
export function dashboardDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'clients', 'dashboard', 'index.html'))) return join(dir, 'clients', 'dashboard');
  }
  throw new Error('cannot find clients/dashboard above the server module');
}

/** The page itself. */
export function indexPage(dir: string): StaticFile {
  return { body: readFileSync(join(dir, 'index.html')), type: TYPES['.html'] };
}

/**
 * Bundles the dashboard with esbuild, in memory: `app.js` (the page's script: the client SDK,
 * RxJS and uPlot included), `sdk.js` (the client SDK alone as an ES module, for other pages:
 * `import { connect } from '/dashboard/sdk.js'`), their shared chunk, and `style.css`. Node's
 * `ws` stays out: the SDK imports it only when it runs in Node.
 * @returns the files by name.
 */
export async function buildDashboard(dir: string): Promise<Map<string, StaticFile>> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { app: join(dir, 'app.ts'), sdk: join(dir, '..', 'ts', 'index.ts'), style: join(dir, 'style.css') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['ws'],
    minify: true,
    write: false,
    outdir: '/dashboard',
    logLevel: 'silent',
  });
  const files = new Map<string, StaticFile>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    files.set(name, { body: file.contents, type: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream' });
  }
  return files;
}
