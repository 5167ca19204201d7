import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSafeExposure, isLoopback, loadServerConfig, ServerConfigError } from '../../src/server/config.js';
import { serve } from '../../src/server/serve.js';
import { serveCommand } from '../../src/server/serve-command.js';

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

  it('reads integers strictly (80.5, 1e3, 0x50 are refused, not cut), naming the variable or flag, the value and the range', () => {
    for (const port of ['80.5', '1e3', '0x50']) {
      expect(() => loadServerConfig({ env: { SIGPROP_PORT: port } })).toThrow(new ServerConfigError(`SIGPROP_PORT is '${port}'; expected an integer in 0..65535`));
    }
    expect(() => loadServerConfig({ env: {}, flags: { maxMessageBytes: '512' } })).toThrow(`--max-message-bytes is '512'; expected an integer ≥ 1024`);
  });

  it("takes learnerThreads as 'auto' or an integer 1..64; anything else is refused with the value given and both choices", () => {
    expect(loadServerConfig({ env: { SIGPROP_LEARNER_THREADS: '2' } }).learnerThreads).toBe(2);
    expect(loadServerConfig({ env: {}, flags: { learnerThreads: 'auto' } }).learnerThreads).toBe('auto');
    expect(loadServerConfig({ env: {}, file: configFile({ learnerThreads: 64 }) }).learnerThreads).toBe(64);
    for (const bad of ['0', '1.5', '65', '-1', 'many']) {
      expect(() => loadServerConfig({ env: { SIGPROP_LEARNER_THREADS: bad } })).toThrow(`SIGPROP_LEARNER_THREADS is '${bad}'; expected 'auto' or an integer in 1..64`);
      expect(() => loadServerConfig({ env: {}, flags: { learnerThreads: bad } })).toThrow(`--learner-threads is '${bad}'; expected 'auto' or an integer in 1..64`);
    }
    const file = configFile({ learnerThreads: 1.5 });
    expect(() => loadServerConfig({ env: {}, file })).toThrow(`config file ${file}: learnerThreads is the JSON number 1.5; expected "auto" (a JSON string) or an integer in 1..64 (a JSON number)`);
  });

  it('reads boolean variables and flags as true/1 or false/0, strictly those', () => {
    for (const [given, insecure] of [['true', true], ['1', true], ['false', false], ['0', false]] as const) {
      expect(loadServerConfig({ env: { SIGPROP_INSECURE: given } }).insecure).toBe(insecure);
      expect(loadServerConfig({ env: {}, flags: { insecure: given } }).insecure).toBe(insecure);
    }
    expect(loadServerConfig({ env: {}, flags: { insecure: true } }).insecure).toBe(true);
    for (const bad of ['yes', 'TRUE', 'on', '2', '01']) {
      expect(() => loadServerConfig({ env: { SIGPROP_INSECURE: bad } })).toThrow(new ServerConfigError(`SIGPROP_INSECURE is '${bad}'; expected true, false, 1 or 0`));
    }
    // 1 and 0 stay numbers where a number is expected.
    expect(loadServerConfig({ env: { SIGPROP_PORT: '1', SIGPROP_DEADLINE_MS: '0' } })).toMatchObject({ port: 1, deadlineMs: 0 });
  });

  it('serve --insecure takes an optional value (bare: true), read as SIGPROP_INSECURE is', async () => {
    const never = join(dir, 'never');
    const run = (...flags: string[]) => serveCommand().exitOverride().parseAsync(['--host', '0.0.0.0', '--data-dir', never, ...flags], { from: 'user' });
    // insecure off: the exposure check refuses before anything is opened.
    await expect(run('--insecure', '0')).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without tokens/);
    await expect(run('--insecure=false')).rejects.toThrow(/refusing to listen/);
    await expect(run('--insecure=maybe')).rejects.toThrow(new ServerConfigError("--insecure is 'maybe'; expected true, false, 1 or 0"));
  });

  it('says the JSON type expected and the one given for a config-file value of the wrong type', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ port: '18093' }, 'port is the JSON string "18093"; expected an integer in 0..65535 (a JSON number)'],
      [{ insecure: 'true' }, 'insecure is the JSON string "true"; expected true or false (a JSON boolean)'],
      [{ insecure: 1 }, 'insecure is the JSON number 1; expected true or false (a JSON boolean)'],
      [{ dataDir: ['/a'] }, 'dataDir is the JSON array ["/a"]; expected a non-empty JSON string'],
      [{ host: null }, 'host is the JSON null; expected a non-empty JSON string'],
      [{ overload: true }, 'overload is the JSON boolean true; expected one of "block", "reject" (JSON strings)'],
    ];
    for (const [content, message] of cases) {
      const file = configFile(content);
      expect(() => loadServerConfig({ env: {}, file })).toThrow(new ServerConfigError(`config file ${file}: ${message}`));
    }
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
    expect(() => loadServerConfig({ env: { SIGPROP_PORT: 'eighty' } })).toThrow("SIGPROP_PORT is 'eighty'; expected an integer in 0..65535");
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['short:admin'] } })).toThrow(ServerConfigError);
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['long-enough-token:root'] } })).toThrow(/role "root" is not one of read, write, admin/);
    expect(() => loadServerConfig({ env: {}, flags: { tokens: ['no-role-here'] } })).toThrow(/token:role/);
    expect(() => loadServerConfig({ env: {}, file: configFile('{oops') })).toThrow(/config file/);
    const colour = configFile({ colour: 'blue' });
    expect(() => loadServerConfig({ env: {}, file: colour })).toThrow(`config file ${colour}: colour is not a setting; expected one of host, port, dataDir, tokens,`);
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

  it('never echoes a token, not even in part, when an entry is malformed', () => {
    const secret = 's3cretadmintoken';
    let message = '';
    try {
      loadServerConfig({ env: { SIGPROP_TOKENS: `good-token-1:admin,${secret}` } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/token entry 2 \(of 2, 16 characters\) has no ':role'; expected token:role/);
    expect(message).not.toMatch(/s3c/);
  });
});
