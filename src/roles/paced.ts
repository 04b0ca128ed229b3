import { from, isObservable, Observable, type ObservableInput } from 'rxjs';

/** A stream to send as the client read it: an Observable, or an async iterable to pull as the connection drains. */
export type StreamInput = Observable<unknown> | AsyncIterable<unknown>;

/**
 * Sorts what an application hands over as a stream: an async iterable that is not also an
 * Observable (a generator, a Node stream) is kept to be paced; anything else rxjs can
 * subscribe to becomes an Observable (from() throws for what it cannot).
 */
export function asStreamInput(input: ObservableInput<unknown>): StreamInput {
  return isAsyncIterable(input) && !isObservable(input) ? input : from(input);
}

/** The Observable to send from: async iterables pulled only when `writable()` resolves. */
export function streamFrom(input: StreamInput, writable: () => Promise<void>): Observable<unknown> {
  return isObservable(input) ? input : pacedFrom(input, writable);
}

/**
 * An async iterable (an async generator, a Node stream, …) as an Observable that pulls the
 * next value only once `writable()` says the connection can take more: a fast producer never
 * outruns the network, and nothing piles up in memory. Unsubscribing calls the iterator's
 * `return()`, so a generator's `finally` runs (the callee's teardown on INTERRUPT).
 */
export function pacedFrom<T>(iterable: AsyncIterable<T>, writable: () => Promise<void>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = iterable[Symbol.asyncIterator]();
    let stopped = false;
    // The teardown sets `stopped` while the loop awaits, which TypeScript's narrowing cannot see.
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- see above */
    void (async () => {
      try {
        while (!stopped) {
          await writable();
          if (stopped) return;
          const step = await iterator.next();
          if (stopped) return;
          if (step.done) {
            subscriber.complete();
            return;
          }
          subscriber.next(step.value);
        }
      } catch (error) {
        if (!stopped) subscriber.error(error);
      }
    })();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
    return () => {
      stopped = true;
      // The producer's own cleanup; what it throws has nowhere to go but here.
      Promise.resolve(iterator.return?.()).catch(() => undefined);
    };
  });
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}
