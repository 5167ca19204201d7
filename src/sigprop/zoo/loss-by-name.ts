import type { LossConfig } from '../config/schema.js';
import type { LossFn } from '../loss/types.js';
import { v1InputLabelDirect } from '../loss/v1-input-label-direct.js';
import { v9InputTargetMaxAll } from '../loss/v9-input-target-max-all.js';
import { v14InputTargetMaxRand } from '../loss/v14-input-target-max-rand.js';
import { v15InputTargetTopk } from '../loss/v15-input-target-topk.js';

/** The local loss a config names (`v1`, `v9`, `v14`, `v15` with its `k`). */
export function lossByName(config: LossConfig): LossFn {
  switch (config.name) {
    case 'v1':
      return v1InputLabelDirect;
    case 'v9':
      return v9InputTargetMaxAll;
    case 'v14':
      return v14InputTargetMaxRand;
    case 'v15':
      return v15InputTargetTopk(config.k);
  }
}

/** Whether a loss compares samples with each other and so needs at least 2 items per update. */
export function needsBatch(config: LossConfig): boolean {
  return config.name !== 'v1';
}
