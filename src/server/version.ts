import { readFileSync } from 'node:fs';

/** Wire protocol version served under `/v1`. */
export const PROTOCOL_VERSION = 1;

/**
 * The package version, read from the nearest `package.json` named `sigprop-stream` above this
 * file (the same from `src/` under tsx and from `dist/` after a build).
 */
export const PACKAGE_VERSION: string = findVersion(new URL('.', import.meta.url));

function findVersion(dir: URL): string {
  for (let at = dir; ; at = new URL('..', at)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', at), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sigprop-stream' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (at.pathname === '/') return '0.0.0';
  }
}
