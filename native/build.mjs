// Install step of the optional native kernels: builds the addon with node-gyp when OpenBLAS is
// present (pkg-config finds Debian's libopenblas-dev), and otherwise only says why it skipped.
// It always exits 0, so that installing sigprop-stream never fails because of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function hasOpenBlas() {
  try {
    execFileSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The node-gyp npm runs scripts with, else npm's bundled one, else one on PATH. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return [process.execPath, [process.env.npm_config_node_gyp]];
  const bundled = path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(bundled) ? [process.execPath, [bundled]] : ['node-gyp', []];
}

/**
 * `--nodedir` pointing at this Node's own headers when they are installed (Debian and NodeSource
 * packages put them in <prefix>/include/node) and npm did not say where they are: otherwise
 * node-gyp downloads them, which fails offline.
 */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

if (!hasOpenBlas()) {
  console.warn('sigprop-native: OpenBLAS not found (apt-get install libopenblas-dev); skipping the native kernels.');
} else {
  const [cmd, pre] = nodeGyp();
  const result = spawnSync(cmd, [...pre, 'rebuild', ...nodeDirArgs()], { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) console.warn('sigprop-native: the build failed; sigprop-stream runs without the native kernels.');
}
