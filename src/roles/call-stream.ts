import type { Subscriber, Subscription, TeardownLogic } from 'rxjs';
import { asSerializationError } from '../codec/codec.js';
import { FEATURE_NOT_SUPPORTED } from '../protocol/error-uris.js';
import { WampError } from '../protocol/errors.js';
import { MessageType, withPayload } from '../protocol/messages.js';
import type { Caller } from './caller.js';
import { streamFrom, type StreamInput } from './paced.js';
import { toPayload } from './payload.js';
import { STREAM_OVERFLOW } from './stream-limits.js';
import type { CallOptions, CallResult } from './types.js';

/**
 * A call whose input is a stream (progressive call invocations, digest §6.2): the first value
 * of `input` sends the CALL (with the call's options and `progress: true`), every further
 * value a CALL chunk `{progress: true}` under the same request id, and completion the last
 * chunk `{}` without payload. RESULTs flow back through the caller's pending entry as for any
 * call, while input is still going out. The returned teardown stops the input first (nothing
 * more is sent), then cancels the call if it is still running.
 *
 * An async iterable (a generator, a Node stream) is pulled only while the connection holds at
 * most `streamHighWaterMark` bytes; a push Observable that gets more than `streamBufferLimit`
 * bytes waiting fails the call with `rxwamp.error.stream_overflow`.
 */
export function callStream(
  caller: Caller, subscriber: Subscriber<CallResult>, procedure: string, input: StreamInput, options: CallOptions,
): TeardownLogic {
  const session = caller.session;
  if (!session.routerSupports('dealer', 'progressive_call_invocations')) {
    subscriber.error(new WampError(FEATURE_NOT_SUPPORTED, { args: ['the router did not announce progressive_call_invocations'] }));
    return undefined;
  }
  const receiveProgress = caller.receivesProgress(options);
  const wampOptions = caller.wampOptions(options, receiveProgress);
  const { highWaterMark, bufferLimit } = caller.limits;
  let requestId: number | undefined;
  /** The input ended, failed or was stopped: nothing more is sent. */
  let stopped = false;
  let inputSubscription: Subscription | undefined;

  const fail = (error: unknown) => {
    stopped = true;
    subscriber.error(error); // the teardown below stops the input and cancels the call
  };
  const sendChunk = (value: unknown, more: boolean): void => {
    let payload: ReturnType<typeof toPayload>;
    try {
      payload = toPayload(value);
    } catch (error) {
      throw asSerializationError(error); // a value that cannot even be looked at (a hostile Proxy)
    }
    const { args, kwargs } = payload;
    if (requestId === undefined) {
      const first = more ? { ...wampOptions, progress: true } : wampOptions;
      requestId = session.sendRequestWithPayload([MessageType.CALL, 0, first, procedure, args, kwargs]);
      caller.track(requestId, subscriber, receiveProgress);
    } else {
      // Later chunks carry only `progress`: the first CALL's options hold for the whole call (§6.2).
      session.send(withPayload([MessageType.CALL, requestId, more ? { progress: true } : {}, procedure, args, kwargs]));
    }
  };

  const source = streamFrom(input, () => session.whenWritable(highWaterMark));
  const subscription = source.subscribe({
    next: (value) => {
      if (stopped) return;
      try {
        sendChunk(value, true);
      } catch (error) {
        return fail(error);
      }
      if (session.bufferedAmount > bufferLimit) {
        fail(new WampError(STREAM_OVERFLOW, { args: [`the input outran the connection: over ${bufferLimit} bytes waiting`] }));
      }
    },
    error: (error: unknown) => {
      if (!stopped) fail(error);
    },
    complete: () => {
      if (stopped) return;
      stopped = true;
      try {
        sendChunk(undefined, false);
      } catch (error) {
        subscriber.error(error);
      }
    },
  });
  if (stopped) subscription.unsubscribe(); // the input ended (or failed) while being subscribed
  else inputSubscription = subscription;

  return () => {
    stopped = true;
    inputSubscription?.unsubscribe();
    if (requestId !== undefined) caller.abandon(requestId, options.cancelMode ?? 'kill');
  };
}
