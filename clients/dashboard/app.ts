import { connect, SigpropApi } from '../ts/index.js';
import { CheckpointsPanel } from './checkpoints-panel.js';
import { byId } from './dom.js';
import { EvaluationsPanel } from './evaluations-panel.js';
import { MetricsView } from './metrics-view.js';

/**
 * The dashboard page (served at `/`): connects to one model with the client SDK
 * (`/?model=NAME&token=TOKEN`, both optional), plots its stored then live metrics windows, and
 * lists checkpoints (with restore) and recent evaluations. Admin calls use the admin token typed
 * into the page (kept for the browser session), else the page's token.
 */
async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const model = params.get('model') ?? 'default';
  const token = params.get('token') ?? undefined;
  byId('model').textContent = model;
  const adminToken = adminTokenInput();
  const admin = () => new SigpropApi(location.origin, adminToken.value || token);
  const view = new MetricsView();
  const checkpoints = new CheckpointsPanel(model, admin, notify);
  const evaluations = new EvaluationsPanel(model, admin, notify);
  const refresh = () => void Promise.all([checkpoints.refresh(), evaluations.refresh()]);
  adminToken.addEventListener('change', refresh);

  const client = await connect(location.origin, { model, token });
  client.status$.subscribe((status) => {
    byId('status').textContent = status;
    byId('status').dataset.status = status;
  });
  const [info, status, rows] = await Promise.all([client.api.info(), client.api.model(model), client.api.metrics(model, { limit: 2000 })]);
  byId('server').textContent = `sigprop-stream ${info.version} · backend ${info.backend}`;
  byId('stat-samples').textContent = String(status.samples);
  byId('stat-step').textContent = String(status.step);
  view.history(rows);
  client.metrics$.subscribe((event) => view.live(event));
  refresh();
  setInterval(refresh, REFRESH_MS);
}

/** How often the checkpoint and evaluation lists are reloaded, ms. */
const REFRESH_MS = 3000;

function adminTokenInput(): HTMLInputElement {
  const input = byId<HTMLInputElement>('admin-token');
  input.value = sessionStorage.getItem('sigprop-admin-token') ?? '';
  input.addEventListener('change', () => sessionStorage.setItem('sigprop-admin-token', input.value));
  return input;
}

function notify(message: string, error = false): void {
  const banner = byId('notice');
  banner.textContent = message;
  banner.className = error ? 'notice error' : 'notice';
}

main().catch((error: unknown) => notify(`dashboard failed to start: ${(error as Error).message}`, true));
