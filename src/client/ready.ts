import type { Observable, Subscription } from 'rxjs';

/** What `ready()` resolves with: the first value and the subscription it keeps open. */
export interface Held<T> {
  /** The first value (a Registration once REGISTERED, for example). */
  readonly value: T;
  /**
   * Settles when the source ends: with its error, or `undefined` when it completed or was
   * unsubscribed. It never rejects, so an unwatched ending cannot become an unhandled rejection.
   */
  readonly ended: Promise<Error | undefined>;
  /** Ends the subscription (for a registration: UNREGISTER). */
  unsubscribe(): void;
}

/**
 * Subscribes to `source` and resolves once it first emits, keeping the subscription open
 * (`firstValueFrom` would unsubscribe, and so unregister at once). Rejects if the source
 * errors or completes before its first value.
 *
 * ```ts
 * const registration = await ready(client.registerStream('com.myapp.longop', handler));
 * // registered now, and kept (also across reconnects) until:
 * registration.unsubscribe();
 * ```
 */
export function ready<T>(source: Observable<T>): Promise<Held<T>> {
  return new Promise<Held<T>>((resolve, reject) => {
    let first = true;
    let endedWith: (error: Error | undefined) => void = () => undefined;
    const ended = new Promise<Error | undefined>((settle) => {
      endedWith = settle;
    });
    let subscription: Subscription | undefined;
    const unsubscribe = () => {
      subscription?.unsubscribe();
      endedWith(undefined);
    };
    subscription = source.subscribe({
      next: (value) => {
        if (!first) return;
        first = false;
        resolve({ value, ended, unsubscribe });
      },
      error: (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        endedWith(failure);
        if (first) reject(failure);
      },
      complete: () => {
        endedWith(undefined);
        if (first) reject(new Error('the Observable completed before its first value'));
      },
    });
    if (subscription.closed) subscription = undefined;
  });
}
