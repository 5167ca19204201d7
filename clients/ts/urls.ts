/**
 * The HTTP base URL of a server given as `http(s)://host:port[/prefix]` or
 * `ws(s)://host:port[/prefix]` (the scheme is mapped; a trailing slash is dropped).
 */
export function httpBase(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'ws:') parsed.protocol = 'http:';
  else if (parsed.protocol === 'wss:') parsed.protocol = 'https:';
  else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`server URL ${url} must start with http://, https://, ws:// or wss://`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** The stream URL of a model: `ws(s)://host:port/v1/models/:model/stream`, with `?token=` when given. */
export function streamUrl(url: string, model: string, token?: string): string {
  const stream = new URL(`${httpBase(url)}/v1/models/${encodeURIComponent(model)}/stream`);
  stream.protocol = stream.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token !== undefined) stream.searchParams.set('token', token);
  return stream.toString();
}
