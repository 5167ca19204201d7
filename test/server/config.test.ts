import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSafeExposure, isLoopback, loadServerConfig, ServerConfigError } from '../../src/server/config.js';
import { serve } from '../../src/server/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'sigprop-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(content: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('server config', () => {
  it('has loopback, port 8080, ./data, 1 MiB and no tokens by default', () => {
    expect(loadServerConfig({ env: {} })).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      tokens: {},
      maxMessageBytes: 1_048_576,
      deadlineMs: 30_000,
      insecure: false,
      learnerThreads: 'auto',
      maxQueue: 10_000,
      overload: 'block',
      logLevel: 'info',
    });
  });

  it('reads integers strictly (80.5, 1e3, 0x50 are refused, not cut) and learnerThreads as auto or 1..64', () => {
    for (const port of ['80.5', '1e3', '0x50']) {
      expect(() => loadServerConfig({ env: { SIGPROP_PORT: port } })).toThrow(`config.port is the string "${port}"; expected integer`);
    }
    expect(loadServerConfig({ env: { SIGPROP_LEARNER_THREADS: '2' } }).learnerThreads).toBe(2);
    expect(loadServerConfig({ env: {}, flags: { learnerThreads: 'auto' } }).learnerThreads).toBe('auto');
    expect(() => loadServerConfig({ env: { SIGPROP_LEARNER_THREADS: '0' } })).toThrow('config.learnerThreads is 0; expected integer to be greater or equal to 1');
    expect(() => loadServerConfig({ env: { SIGPROP_LEARNER_THREADS: 'many' } })).toThrow(`config.learnerThreads is the string "many"; expected 'auto'`);
  });

  it('takes flags over SIGPROP_* env over the config file', () => {
    const file = configFile({ host: '127.0.0.2', port: 9000, dataDir: '/from/file', deadlineMs: 1000, tokens: { 'file-token-1': 'read' } });
    const env = { SIGPROP_CONFIG: file, SIGPROP_PORT: '9100', SIGPROP_DATA_DIR: '/from/env', SIGPROP_TOKENS: 'env-token-1:admin,env-token-2:write', SIGPROP_INSECURE: 'true' };
    const config = loadServerConfig({ env, flags: { dataDir: '/from/flags', maxMessageBytes: '2048', overload: 'reject' } });
    expect(config).toMatchObject({
      host: '127.0.0.2',
      port: 9100,
      dataDir: '/from/flags',
      deadlineMs: 1000,
      insecure: true,
      maxMessageBytes: 2048,
      overload: 'reject',
      tokens: { 'env-token-1': 'admin', 'env-token-2': 'write' },
    });
    expect(loadServerConfig({ env, flags: { tokens: ['flag-token-1:read'] } }).tokens).toEqual({ 'flag-token-1': 'read' });
  });

  it('names the setting and what was expected when a value is wrong', () => {
    expect(() => loadServerConfig({ env: { SIGPROP_PORT: 'eighty' } })).toThrow(/config\.port/);
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['short:admin'] } })).toThrow(ServerConfigError);
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['long-enough-token:root'] } })).toThrow(/role "root" is not one of read, write, admin/);
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['no-role-here'] } })).toThrow(/token:role/);
    expect(() => loadServerConfig({ env: {}, file: configFile('{oops') })).toThrow(/config file/);
    expect(() => loadServerConfig({ env: {}, file: configFile({ colour: 'blue' }) })).toThrow(/config\.colour/);
  });

  it('refuses a non-loopback host without tokens unless insecure', async () => {
    expect(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1') && isLoopback('[::1]')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('10.1.2.3')).toBe(false);
    const open = loadServerConfig({ env: {}, flags: { host: '0.0.0.0', dataDir: join(dir, 'never') } });
    expect(() => assertSafeExposure(open)).toThrow(/--insecure/);
    expect(() => assertSafeExposure({ ...open, insecure: true })).not.toThrow();
    expect(() => assertSafeExposure({ ...open, tokens: { 'some-token-1': 'admin' } })).not.toThrow();
    await expect(serve(open)).rejects.toThrow(ServerConfigError);
  });
});
