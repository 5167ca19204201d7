import { SigpropError } from './errors.js';
import type { CheckpointInfo, EvaluationStatus, ModelStatus } from './types.js';
import { httpBase } from './urls.js';

/** `GET /v1/info`. */
export interface ServerInfo {
  name: string;
  version: string;
  protocol: number;
  backend: string;
  models: string[];
}

/** One stored metrics window of one layer (`GET /v1/models/:model/metrics`). */
export interface MetricRow {
  window: number;
  time: number;
  layer: string;
  loss: number;
  accuracy: number;
  samples: number;
}

/** A recording (`GET /v1/recordings`). */
export interface RecordingInfo {
  id: number;
  model: string;
  name: string;
  count: number;
  firstTime: number | null;
  lastTime: number | null;
}

/** What to replay and how (`POST /v1/evaluations`). */
export interface EvaluationRequest {
  model: string;
  /** Recording id (default: the model's live recording). */
  recording?: number;
  /** `fresh` (default) or a checkpoint id. */
  from?: 'fresh' | number;
  speed?: 'max' | 'recorded';
  /** A prequential curve point every N items (default 100). */
  every?: number;
}

/**
 * The server's HTTP API (protocol v1) over `fetch`, with the bearer token when given. Every
 * method resolves with the decoded JSON reply.
 * @throws SigpropError with the server's error code and message, or `unreachable`.
 */
export class SigpropApi {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token?: string,
  ) {
    this.base = httpBase(url);
  }

  /** `GET /v1/info`: version, protocol, active tfjs backend, model names. */
  info(): Promise<ServerInfo> {
    return this.request('GET', '/v1/info');
  }

  /** `GET /v1/models/:model`. */
  model(name: string): Promise<ModelStatus> {
    return this.request('GET', `/v1/models/${encodeURIComponent(name)}`);
  }

  /** `GET /v1/models/:model/metrics`: stored windows, newest first. */
  metrics(model: string, query: { layer?: string; since?: number; limit?: number } = {}): Promise<MetricRow[]> {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    const search = params.size > 0 ? `?${params}` : '';
    return this.request('GET', `/v1/models/${encodeURIComponent(model)}/metrics${search}`);
  }

  /** `GET /v1/models/:model/checkpoints`, oldest first (admin). */
  checkpoints(model: string): Promise<CheckpointInfo[]> {
    return this.request('GET', `/v1/models/${encodeURIComponent(model)}/checkpoints`);
  }

  /** `POST /v1/models/:model/checkpoints/:id/restore`: rolls the live model back (admin). */
  restore(model: string, id: number): Promise<CheckpointInfo> {
    return this.request('POST', `/v1/models/${encodeURIComponent(model)}/checkpoints/${id}/restore`);
  }

  /** `GET /v1/recordings` (admin). */
  recordings(): Promise<RecordingInfo[]> {
    return this.request('GET', '/v1/recordings');
  }

  /** `POST /v1/evaluations`: starts a replay; resolves with its `running` status (admin). */
  evaluate(request: EvaluationRequest): Promise<EvaluationStatus> {
    return this.request('POST', '/v1/evaluations', request);
  }

  /** `GET /v1/evaluations/:id` (admin). */
  evaluation(id: number): Promise<EvaluationStatus> {
    return this.request('GET', `/v1/evaluations/${id}`);
  }

  /** `GET /v1/evaluations?model=`: a model's evaluations, newest first (admin). */
  evaluations(model: string): Promise<EvaluationStatus[]> {
    return this.request('GET', `/v1/evaluations?model=${encodeURIComponent(model)}`);
  }

  /** Sends a request; `body` is sent as JSON when given. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new SigpropError('unreachable', `cannot reach ${this.base}: ${describe(error)}`);
    }
    const text = await response.text();
    const parsed = text ? parseJson(text) : null;
    if (!response.ok) {
      const reply = parsed as { code?: string; message?: string } | null;
      throw new SigpropError(reply?.code ?? `http_${response.status}`, reply?.message ?? `${method} ${path}: HTTP ${response.status}`);
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** fetch failures hide the reason (ECONNREFUSED, …) in `cause`. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
