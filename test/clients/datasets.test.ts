import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../clients/datasets/dataset.js';
import { hasFashionMnist } from '../../clients/datasets/fashion-mnist.js';
import { loadDataset } from '../../clients/datasets/load.js';
import { parseNdjson } from '../../clients/datasets/ndjson.js';

/** An IDX file: magic (type 0x08 = unsigned bytes), big-endian dimensions, then the data. */
function idx(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('dataset loaders on real files', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sigprop-datasets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads IDX images with their labels, gzip-compressed or raw', () => {
    const pixels = [0, 255, 51, 102, 255, 0, 0, 0];
    for (const gz of [true, false]) {
      const pack = (b: Buffer) => (gz ? gzipSync(b) : b);
      const images = file(`train-images-idx3-ubyte${gz ? '.gz' : ''}`, pack(idx([2, 2, 2], pixels)));
      file(`train-labels-idx1-ubyte${gz ? '.gz' : ''}`, pack(idx([2], [7, 1])));
      const dataset = loadDataset(images);
      expect(dataset).toMatchObject({ count: 2, features: 4, shape: [4] });
      expect([...dataset.y]).toEqual([7, 1]);
      expect([...sample(dataset, 0)]).toEqual([0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
    }
  });

  it('names the IDX file and what is wrong with it', () => {
    const images = file('bad-images-idx3-ubyte', idx([3, 2, 2], [1, 2, 3]));
    file('bad-labels-idx1-ubyte', idx([3], [0, 1, 2]));
    expect(() => loadDataset(images)).toThrow(`${images} (data): expected 12 data bytes for dimensions [3, 2, 2]; found 3`);
    const lonely = file('lonely-images-idx3-ubyte', idx([1, 1, 1], [0]));
    expect(() => loadDataset(lonely)).toThrow(/no labels file found next to it .*pass --labels <file>/);
    const notIdx = file('photo.png', 'not an idx file');
    expect(() => loadDataset(notIdx, { labels: notIdx })).toThrow(`${notIdx} (header): not an IDX file`);
  });

  it('reads CSV with a header, a named label column and unlabelled rows', () => {
    const csv = file('samples.csv', 'a,b,label,c\n0.5,1,3,-2\n"1.5", 2 ,,4\n\n');
    const dataset = loadDataset(csv);
    expect(dataset).toMatchObject({ count: 2, features: 3 });
    expect([...dataset.y]).toEqual([3, -1]);
    expect([...sample(dataset, 1)]).toEqual([1.5, 2, 4]);
    const headless = file('plain.csv', '2,0.1,0.2\n0,0.3,0.4\n');
    expect([...loadDataset(headless).y]).toEqual([2, 0]);
    const last = loadDataset(file('last.csv', '0.1,0.2,4\n0.3,0.4,5\n'), { labelColumn: '2' });
    expect([...last.y]).toEqual([4, 5]);
    expect([...sample(last, 1)]).toEqual([0.3, 0.4].map((v) => Math.fround(v)));
  });

  it('reports the line and column of a bad CSV cell', () => {
    const ragged = file('ragged.csv', 'label,x1,x2\n1,0,0\n2,0\n');
    expect(() => loadDataset(ragged)).toThrow(`${ragged} (line 3): 2 columns; expected 3 (as in the header)`);
    const text = file('text.csv', '1,0,0\n2,0,abc\n');
    expect(() => loadDataset(text)).toThrow(`${text} (line 2, column 3): "abc" is not a finite number`);
    const label = file('label.csv', 'y,x\n1.5,0\n');
    expect(() => loadDataset(label)).toThrow(`${label} (line 2, column 1): label "1.5" is not a non-negative integer`);
    expect(() => loadDataset(label, { labelColumn: 'nope' })).toThrow(`${label} (header): no label column "nope"; columns: y, x`);
  });

  it('reads NDJSON and reports the line of a bad record', () => {
    const good = file('samples.ndjson', '{"x":[0.1,0.2],"y":3}\n\n{"x":[0.3,0.4]}\n');
    const dataset = loadDataset(good);
    expect(dataset).toMatchObject({ count: 2, features: 2, name: 'samples.ndjson' });
    expect([...dataset.y]).toEqual([3, -1]);
    const cases: Array<[string, string]> = [
      ['{"x":[1,2],"y":1}\n{"x":[1,2,3],"y":1}', '(line 2): "x" has 3 values; expected 2 (as on line 1)'],
      ['{"x":[1,2],"y":1}\n{"x":[1,"a"],"y":1}', '(line 2): x[1] is "a"; expected a finite number'],
      ['{"x":[1,2],"y":-1}', '(line 1): "y" is -1; expected a non-negative integer label (or no "y")'],
      ['{"x":[1,2],"y":1}\n\n{"x":[1,2],', '(line 3): invalid JSON'],
      ['{"y":1}', '(line 1): "x" is missing; expected an array of numbers'],
      ['[1,2]', '(line 1): expected an object like {"x":[...],"y":3}'],
    ];
    for (const [text, message] of cases) expect(() => parseNdjson(text, 'in.ndjson')).toThrow(`in.ndjson ${message}`);
  });

  it('refuses an unknown dataset with what it accepts', () => {
    expect(() => loadDataset(join(dir, 'missing.csv'))).toThrow(/no such file; expected an IDX, CSV .* or one of: mnist-digits, fashion-mnist, fashion-mnist:test/);
  });

  it('loads the 10,000 real MNIST digits of the mnist package, classes interleaved', () => {
    const digits = loadDataset('mnist-digits');
    expect(digits).toMatchObject({ count: 10_000, features: 784, shape: [784] });
    const counts = new Array<number>(10).fill(0);
    digits.y.forEach((y) => counts[y]++);
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(new Set(digits.y.subarray(0, 100)).size).toBe(10);
    expect(Math.max(...digits.x.subarray(0, 784 * 10))).toBeLessThanOrEqual(1);
  });

  it.runIf(hasFashionMnist())('loads Fashion-MNIST from the Debian package', () => {
    expect(loadDataset('fashion-mnist:test')).toMatchObject({ count: 10_000, features: 784 });
  });
});
