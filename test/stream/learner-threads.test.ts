import { describe, it, expect } from 'vitest';
import { learnerThreads } from '../../src/stream/learner/threads.js';

describe('learnerThreads', () => {
  it("'auto' leaves one core to the main thread: one learner thread below 3 cores, the pipeline's own choice from 3", () => {
    expect([1, 2, 3, 4, 64].map((cores) => learnerThreads('auto', cores))).toEqual([1, 1, 'auto', 'auto', 'auto']);
  });

  it('takes a number as given', () => {
    expect(learnerThreads(3, 2)).toBe(3);
    expect(learnerThreads(1, 16)).toBe(1);
  });
});
