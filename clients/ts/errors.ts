/**
 * An error the server answered (or the connection failed with): the protocol error `code`
 * (`bad_shape`, `unauthorized`, `unknown_model`, …, see the wire protocol) and its message.
 */
export class SigpropError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The client's id of the item the error is about, when there is one. */
    readonly id?: string,
  ) {
    super(message);
    this.name = 'SigpropError';
  }
}

/** Close codes the server refuses a stream with; reconnecting cannot help after them. */
export const FATAL_CLOSE_CODES: Readonly<Record<number, string>> = { 4401: 'unauthorized', 4404: 'unknown_model' };
