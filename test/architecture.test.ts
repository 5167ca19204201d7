import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Which top-level folders under src/ each folder may import (design.md: server → stream → sigprop; server/stream → store). */
const ALLOWED: Record<string, string[]> = {
  sigprop: ['sigprop'],
  store: ['store'],
  stream: ['stream', 'sigprop', 'store'],
  server: ['server', 'stream', 'sigprop', 'store'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

/** The src/ folders a file imports through relative paths. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers
    .map((s) => relative(join(root, 'src'), resolve(dirname(file), s)).split('/')[0])
    .filter((folder) => folder in ALLOWED);
}

describe('layering', () => {
  for (const folder of Object.keys(ALLOWED)) {
    it(`src/${folder} imports only ${ALLOWED[folder].join(', ')}`, () => {
      const violations = sourceFiles(join(root, 'src', folder)).flatMap((file) =>
        importedFolders(file)
          .filter((target) => !ALLOWED[folder].includes(target))
          .map((target) => `${relative(root, file)} imports src/${target}`),
      );
      expect(violations).toEqual([]);
    });
  }
});
