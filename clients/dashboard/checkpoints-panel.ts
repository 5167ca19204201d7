import type { SigpropApi } from '../ts/index.js';
import { byId, clock, el, fillTable } from './dom.js';

/**
 * The checkpoint list with a restore button per checkpoint (rolls the live model back; needs
 * an admin token when the server has tokens).
 */
export class CheckpointsPanel {
  constructor(
    private readonly model: string,
    private readonly admin: () => SigpropApi,
    private readonly notify: (message: string, error?: boolean) => void,
  ) {}

  /** Reloads the list. */
  async refresh(): Promise<void> {
    try {
      const checkpoints = (await this.admin().checkpoints(this.model)).reverse();
      const rows = checkpoints.map((c) => [String(c.id), clock(c.createdAt), c.reason, String(c.samples), String(c.step), `${(c.size / 1024).toFixed(0)} KiB`, this.restoreButton(c.id)]);
      fillTable(byId('checkpoints-body'), rows, 'no checkpoints yet');
    } catch (error) {
      fillTable(byId('checkpoints-body'), [], `cannot list checkpoints: ${(error as Error).message}`);
    }
  }

  private restoreButton(id: number): HTMLElement {
    const button = el('button', 'restore', { type: 'button', 'data-checkpoint': String(id) });
    button.addEventListener('click', () => void this.restore(id));
    return button;
  }

  private async restore(id: number): Promise<void> {
    if (!confirm(`Roll model '${this.model}' back to checkpoint ${id}?`)) return;
    try {
      const saved = await this.admin().restore(this.model, id);
      this.notify(`restored checkpoint ${id} (saved as checkpoint ${saved.id}, ${saved.samples} samples)`);
      await this.refresh();
    } catch (error) {
      this.notify(`restore failed: ${(error as Error).message}`, true);
    }
  }
}
