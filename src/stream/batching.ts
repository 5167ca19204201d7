import { Observable, type OperatorFunction } from 'rxjs';

/** Options of {@link adaptiveBatch}. */
export interface AdaptiveBatchOptions {
  /** Most items in one batch (a batch still takes `minSize` items when that is more). */
  maxSize: number;
  /** Fewest items a batch may have now (e.g. 2 for losses that compare samples, when nothing can be replayed). */
  minSize: () => number;
  /**
   * Longest an item waits below `minSize` while the consumer is ready, ms; then the items waiting
   * are emitted anyway (the consumer completes the batch itself).
   */
  maxWaitMs: number;
  /** Batches the consumer takes before it must signal `ready$` (batches in flight at once; default 1). */
  capacity?: number;
}

/**
 * Adaptive micro-batching: emits a batch of every item waiting (up to `maxSize`) as soon as the
 * consumer is ready, so an idle consumer gets each item alone and a busy one gets larger
 * batches; nothing is held back while the consumer is ready, except items below `minSize`, for at
 * most `maxWaitMs`. The consumer signals readiness on `ready$` after finishing each batch. Items
 * are never dropped; on completion the rest is emitted (even below `minSize`, the consumer
 * decides) once the consumer is ready. A consumer with `capacity` k takes up to k batches
 * before signalling (a pipeline of k stages keeps every stage busy that way); each signal frees
 * one place.
 */
export function adaptiveBatch<T>(ready$: Observable<unknown>, options: AdaptiveBatchOptions): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      const waiting: T[] = [];
      const capacity = options.capacity ?? 1;
      let free = capacity;
      let completed = false;
      let overdue = false;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const flush = () => {
        if (free === 0 || waiting.length === 0) return finish();
        if (!completed && !overdue && waiting.length < options.minSize()) return startTimer();
        free -= 1;
        overdue = false;
        if (timer) clearTimeout(timer);
        timer = null;
        subscriber.next(waiting.splice(0, Math.max(options.maxSize, options.minSize())));
      };
      const startTimer = () => {
        timer ??= setTimeout(() => {
          timer = null;
          overdue = true;
          flush();
        }, options.maxWaitMs);
      };
      const finish = () => {
        if (completed && free === capacity && waiting.length === 0) subscriber.complete();
      };
      const readySubscription = ready$.subscribe(() => {
        free = Math.min(capacity, free + 1);
        flush();
      });
      const sourceSubscription = source.subscribe({
        next: (item) => {
          waiting.push(item);
          flush();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          completed = true;
          flush();
        },
      });
      return () => {
        if (timer) clearTimeout(timer);
        readySubscription.unsubscribe();
        sourceSubscription.unsubscribe();
      };
    });
}
