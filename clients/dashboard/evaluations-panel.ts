import type { EvaluationReport, EvaluationStatus, SigpropApi } from '../ts/index.js';
import { byId, clock, fillTable, pct } from './dom.js';

/** Evaluations shown. */
const RECENT = 10;

/**
 * Recent evaluations (replays of recordings into separate models) with their reports, and a
 * button that replays the model's live recording into a fresh model. Admin calls.
 */
export class EvaluationsPanel {
  constructor(
    private readonly model: string,
    private readonly admin: () => SigpropApi,
    private readonly notify: (message: string, error?: boolean) => void,
  ) {
    byId('evaluate').addEventListener('click', () => void this.start());
  }

  /** Reloads the list. */
  async refresh(): Promise<void> {
    try {
      const evaluations = (await this.admin().evaluations(this.model)).slice(0, RECENT);
      fillTable(byId('evaluations-body'), evaluations.map(row), 'no evaluations yet');
    } catch (error) {
      fillTable(byId('evaluations-body'), [], `cannot list evaluations: ${(error as Error).message}`);
    }
  }

  private async start(): Promise<void> {
    try {
      const status = await this.admin().evaluate({ model: this.model });
      this.notify(`evaluation ${status.id} started: replaying the recording into a fresh model`);
      await this.refresh();
    } catch (error) {
      this.notify(`cannot start an evaluation: ${(error as Error).message}`, true);
    }
  }
}

function row(e: EvaluationStatus): string[] {
  const report = e.report as EvaluationReport | null;
  const from = e.from === 'fresh' ? 'fresh' : `checkpoint ${e.from}`;
  const status = e.status === 'running' ? `running ${pct(e.progress)}` : e.status;
  return [
    String(e.id),
    clock(e.createdAt),
    from,
    status,
    report ? String(report.items) : '–',
    report ? pct(report.finalAccuracy) : e.error ?? '–',
    report ? `${report.throughput.toFixed(0)}/s` : '–',
    report ? `${(report.wallMs / 1000).toFixed(1)} s` : '–',
  ];
}
