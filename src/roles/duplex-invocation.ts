import { Observable, Subject } from 'rxjs';
import type { Args, Dict } from '../protocol/messages.js';
import { fromPayload, isEmptyPayload } from './payload.js';

/**
 * The input of one duplex invocation (progressive call invocations, digest §6.2): each
 * INVOCATION chunk is a `next`, the last chunk completes it. Chunks that arrive before the
 * handler subscribed are kept for its first subscription (a handler may subscribe after an
 * asynchronous step, e.g. opening a file); after that it is multicast, so a later
 * subscriber sees only later chunks.
 *
 * When the invocation ends before its input did: the callee answered → the input completes;
 * INTERRUPT or a lost session → it errors (the handler's own stream was unsubscribed first,
 * so this reaches only subscriptions kept apart from it).
 */
export class DuplexInput {
  #buffered: unknown[] | undefined = [];
  readonly #live = new Subject<unknown>();
  /** The last chunk came, or the invocation ended: later pushes are dropped. */
  #ended = false;
  readonly input$ = new Observable<unknown>((subscriber) => {
    const buffered = this.#buffered;
    this.#buffered = undefined;
    if (buffered) for (const value of buffered) subscriber.next(value);
    // A Subject that already ended completes (or errors) a new subscriber at once.
    return this.#live.subscribe(subscriber);
  });

  /**
   * One INVOCATION chunk: its value (an empty last chunk carries none), and the end of the
   * input when it is the last (`more` false).
   */
  chunk(args: Args, kwargs: Dict, more: boolean): void {
    if (more || !isEmptyPayload(args, kwargs)) this.push(fromPayload(args, kwargs));
    if (!more) this.complete();
  }

  push(value: unknown): void {
    if (this.#ended) return;
    if (this.#buffered) this.#buffered.push(value);
    else this.#live.next(value);
  }

  complete(): void {
    this.#ended = true;
    this.#live.complete();
  }

  fail(error: unknown): void {
    this.#ended = true;
    this.#live.error(error);
  }
}

/**
 * Invocation ids whose call still streams input on the wire although the invocation ended
 * here (answered, interrupted, refused): their later chunks are dropped without a reply
 * (§6.2). An id leaves when its last chunk arrives; the oldest leave beyond `limit`, since a
 * dealer that follows the spec stops forwarding chunks once the call ended.
 */
export class DroppedInputs {
  readonly #ids = new Set<number>();

  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#ids.size;
  }

  add(invocationId: number): void {
    this.#ids.add(invocationId);
    if (this.#ids.size > this.#limit) this.#ids.delete(this.#ids.values().next().value as number);
  }

  /** Whether a chunk for this id is to be dropped; its last chunk (`more` false) forgets the id. */
  drops(invocationId: number, more: boolean): boolean {
    if (!this.#ids.has(invocationId)) return false;
    if (!more) this.#ids.delete(invocationId);
    return true;
  }

  clear(): void {
    this.#ids.clear();
  }
}
