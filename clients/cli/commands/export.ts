import { Command } from 'commander';

/** Flags of `sigprop export`. */
export interface ExportFlags {
  dataDir: string;
  model: string;
}

/**
 * `sigprop export <checkpoint> <dir>`: writes a checkpoint's inference network in the tfjs
 * layers format (`model.json` + `weights.bin`, loadable with `tf.loadLayersModel`), read
 * straight from the server's SQLite store in `--data-dir` (see `export-checkpoint.ts`).
 */
export function exportCommand(): Command {
  return new Command('export')
    .description('export a checkpoint in the tfjs layers format (reads the SQLite store of --data-dir)')
    .argument('<checkpoint>', "checkpoint id, or 'latest' (of --model)")
    .argument('<dir>', 'output directory (created if missing)')
    .option('--data-dir <dir>', "the server's data directory [SIGPROP_DATA_DIR]", process.env.SIGPROP_DATA_DIR ?? './data')
    .option('--model <name>', "model whose latest checkpoint 'latest' means", 'default')
    .action(async (checkpoint: string, dir: string, flags: ExportFlags) => {
      // Loaded on use: it brings TensorFlow.js and SQLite, which the other commands do without.
      const { exportCheckpoint } = await import('../export-checkpoint.js');
      const done = await exportCheckpoint(flags.dataDir, checkpoint, flags.model, dir);
      process.stdout.write(`exported checkpoint ${done.id} of model '${done.model}' (step ${done.step}, ${done.samples} samples) to ${done.files.join(', ')}\n`);
    });
}
