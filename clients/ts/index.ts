/**
 * The sigprop-stream client SDK (Node and browsers): stream labelled samples, predictions and
 * delayed labels to a model over WebSocket, watch its live metrics, and call the HTTP API.
 *
 * ```ts
 * const client = await connect('http://127.0.0.1:8080', { model: 'default', token });
 * await client.learn(x, 3);
 * const { predictionId, label } = await client.predict(x);
 * await client.label(predictionId, 3);
 * client.metrics$.subscribe((m) => console.log(m.layers));
 * ```
 */
export { connect, SigpropClient, type ConnectOptions } from './client.js';
export { SigpropApi, type EvaluationRequest, type MetricRow, type RecordingInfo, type ServerInfo } from './api.js';
export { SigpropError } from './errors.js';
export type { Input } from './frames.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export type * from './types.js';
