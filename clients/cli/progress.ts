import { SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr (stdout stays free for results). On a terminal it redraws in place;
 * elsewhere (CI logs, pipes) it prints one line every 2 s so that long runs still show progress.
 * `format` uses cli-progress placeholders plus the payload keys given to `update`.
 */
export function progressBar(format: string): SingleBar {
  return new SingleBar({
    format,
    barsize: 24,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    fps: 5,
    barCompleteChar: '█',
    barIncompleteChar: '░',
  });
}
