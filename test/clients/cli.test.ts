import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../clients/datasets/dataset.js';
import { loadMnistDigits } from '../../clients/datasets/mnist-digits.js';
import { startServer, type TestServer } from '../server/helpers.js';

/** Runs `sigprop …` (the TypeScript entry under tsx) and collects its output. */
function sigprop(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'clients/cli/main.ts', ...args],
      { cwd: join(import.meta.dirname, '..', '..'), env: { PATH: process.env.PATH }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

describe('sigprop CLI against a real server', () => {
  let server: TestServer;
  let dir: string;
  let digits: string;
  const ITEMS = 300;

  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'sigprop-cli-'));
    const mnist = loadMnistDigits();
    const lines = Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ x: Array.from(sample(mnist, i), (v) => Number(v.toFixed(3))), y: mnist.y[i] }));
    digits = join(dir, 'digits.ndjson');
    writeFileSync(digits, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes a dataset with queries and delayed labels, and the model learns every labelled item once', async () => {
    const run = await sigprop(['push', digits, '--url', server.url, '--unlabelled-every', '10', '--delay-labels', '--label-delay', '20', '--binary', '--json']);
    expect(run.stderr).toMatch(/push .*300\/300 \| \d+ items\/s \| prequential/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ total: ITEMS, sent: ITEMS, learned: 270, predictions: 30, labels: 30, duplicates: 0 });
    expect(summary.queries.labelled).toBe(30);
    expect(summary.prequential.samples).toBe(ITEMS);
    expect(summary.prequentialAccuracy).toBeGreaterThanOrEqual(0);
    const model = await (await fetch(`${server.url}/v1/models/default`)).json();
    expect(model).toMatchObject({ samples: ITEMS, queued: 0 });
  });

  it('prints a readable summary and stops at a bad file with its line', async () => {
    const csv = join(dir, 'few.csv');
    writeFileSync(csv, `label,${Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')}\n${[1, 2].map((y) => `${y},${new Array(784).fill(0.5).join(',')}`).join('\n')}\n`);
    const ok = await sigprop(['push', csv, '--url', server.url, '--rate', '50/s']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('learned:              2 items + 0 delayed labels');
    expect(ok.stdout).toMatch(/prequential accuracy: \d+\.\d\d% over 2 learned samples/);

    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"x":[1,2],"y":1}\n{"x":[1,2],"y":"one"}\n');
    const refused = await sigprop(['push', bad, '--url', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`sigprop: ${bad} (line 2): "y" is "one"; expected a non-negative integer label (or no "y")\n`);

    const small = join(dir, 'small.ndjson');
    writeFileSync(small, '{"x":[1,2],"y":1}\n');
    const misfit = await sigprop(['push', small, '--url', server.url]);
    expect(misfit.stderr).toContain("samples have 2 features; model 'default' expects 784 (input shape [784])");

    const usage = await sigprop(['push', small, '--rate', 'fast']);
    expect(usage.stderr).toContain('expected items per second like 200 or 200/s; got "fast"');
  });

  it('predicts NDJSON from stdin, one line per input in order', async () => {
    const input = readFileSync(digits, 'utf8').split('\n').slice(0, 5).join('\n');
    const run = await sigprop(['predict', '-', '--url', server.url, '--probs'], input);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    for (const line of lines) {
      expect(line).toMatchObject({ label: expect.any(Number), confidence: expect.any(Number), predictionId: expect.any(String), y: expect.any(Number) });
      expect(line.probs).toHaveLength(10);
    }
    expect(run.stderr).toMatch(/^accuracy \d+\.\d\d% \(\d\/5 labelled inputs\)\n$/);
  });

  it('lists checkpoints, replays the recording and exports a checkpoint in the tfjs format', async () => {
    await fetch(`${server.url}/v1/models/default/checkpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"cli-test"}' });
    const table = await sigprop(['checkpoints', '--url', server.url]);
    expect(table.stdout).toMatch(/^id +step +samples +last seq +size +reason +created\n/);
    expect(table.stdout).toContain('cli-test');
    const listed = JSON.parse((await sigprop(['checkpoints', '--url', server.url, '--json'])).stdout);
    const checkpoint = listed.at(-1);
    expect(checkpoint).toMatchObject({ reason: 'cli-test', samples: expect.any(Number) });

    const replay = await sigprop(['replay', 'default', '--url', server.url, '--from', String(checkpoint.id)]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(new RegExp(`^evaluation: +\\d+ of model 'default' \\(from ${checkpoint.id}\\)\nitems: +${checkpoint.samples}\n`));
    expect(replay.stdout).toMatch(/final prequential accuracy: \d+\.\d\d%/);
    expect(replay.stdout).toMatch(/per layer:\nlayer +loss +accuracy +samples\n/);

    // An image model: its input branch starts with a Flatten layer in the tfjs export.
    const created = await fetch(`${server.url}/v1/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"images","config":{"inputShape":[28,28,1]}}' });
    expect(created.status).toBe(201);
    await fetch(`${server.url}/v1/models/images/checkpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    const out = join(dir, 'export');
    const exported = await sigprop(['export', 'latest', out, '--model', 'images', '--data-dir', server.dataDir]);
    expect(exported.stdout).toMatch(/^exported checkpoint \d+ of model 'images' \(step 0, 0 samples\) to .*model\.json, .*weights\.bin\n$/);
    const model = await tf.loadLayersModel(filesHandler(out));
    const logits = model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
    expect(logits.shape).toEqual([1, 10]);

    const missing = await sigprop(['export', 'latest', out, '--data-dir', join(dir, 'nowhere')]);
    expect(missing.stderr).toContain(`no store at ${join(dir, 'nowhere', 'sigprop.db')}`);
  });
});

/** Loads `model.json` + `weights.bin` from a folder (the tfjs package has no file IO handler in Node). */
function filesHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weights = readFileSync(join(dir, 'weights.bin'));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      };
    },
  };
}
