import type { SigpropError } from './errors.js';
import type { Frame } from './frames.js';

/** An item sent (or to be sent) and not answered yet. */
interface Entry {
  frame: Frame;
  resolve: (reply: unknown) => void;
  reject: (error: SigpropError) => void;
}

/**
 * The items awaiting their reply, by client id, in the order they were made — the order they
 * are resent in after a reconnect. Learn and label items are resent with their ids, so the
 * server acknowledges one it had already accepted as a duplicate instead of learning it twice.
 */
export class PendingItems {
  private readonly entries = new Map<string, Entry>();

  /** Items waiting for a reply. */
  get size(): number {
    return this.entries.size;
  }

  /** Registers an item; the promise settles with its reply (or its error). */
  add<T>(id: string, frame: Frame): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.entries.set(id, { frame, resolve: resolve as (reply: unknown) => void, reject });
    });
  }

  /** Every waiting item's frame, oldest first. */
  frames(): Frame[] {
    return [...this.entries.values()].map((entry) => entry.frame);
  }

  /** Settles an item with its reply; false when the id is not waiting (e.g. answered before a resend). */
  resolve(id: string, reply: unknown): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.resolve(reply);
    return true;
  }

  /** Fails an item; false when the id is not waiting. */
  reject(id: string, error: SigpropError): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.reject(error);
    return true;
  }

  /** Fails every waiting item. */
  rejectAll(error: SigpropError): void {
    for (const id of [...this.entries.keys()]) this.reject(id, error);
  }
}
