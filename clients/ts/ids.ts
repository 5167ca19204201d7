/**
 * Item ids unique to one client: a random prefix per client and a counter. The server
 * de-duplicates learn and label items by id, so a resent item keeps its id. Uses
 * `crypto.getRandomValues`, which browsers offer outside secure contexts too (unlike `randomUUID`).
 */
export function idGenerator(): () => string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const prefix = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  let next = 0;
  return () => `${prefix}-${(++next).toString(36)}`;
}
