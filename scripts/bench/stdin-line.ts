/** The first line of standard input: how a waiting benchmark child learns the server's URL. */
import { createInterface } from 'node:readline';

/** Resolves with the first line of stdin. @throws Error when stdin ends without one. */
export async function firstStdinLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  throw new Error('standard input ended before the first line');
}
