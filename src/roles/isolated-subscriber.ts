import { Subscriber, type Observer } from 'rxjs';

/**
 * A Subscriber whose `unsubscribe()` never throws: what the application's teardowns throw
 * (rxjs gathers them into an UnsubscriptionError) goes to `report`.
 *
 * rxwamp subscribes to application streams (a handler's answer, a `callStream$` input) with it
 * so that ending one, from a message handler, from a lost session or from inside one of its
 * own values, can never throw into the session's dispatch. It exists before the stream is
 * subscribed, so it can be stopped during a synchronous emission, and a synchronous source that
 * checks `subscriber.closed` (as rxjs's own do) stops at once.
 */
export class IsolatedSubscriber<T> extends Subscriber<T> {
  readonly #report: (error: unknown) => void;

  constructor(observer: Observer<T>, report: (error: unknown) => void) {
    // rxjs's Subscriber with a plain Observer as destination: calls it directly, no wrapping.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- rxjs 7 has no public replacement for subclassing Subscriber
    super(observer);
    this.#report = report;
  }

  override unsubscribe(): void {
    try {
      super.unsubscribe();
    } catch (error) {
      this.#report(error);
    }
  }
}
