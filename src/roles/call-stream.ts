import type { Subscriber } from 'rxjs';
import { asSerializationError } from '../codec/codec.js';
import { FEATURE_NOT_SUPPORTED } from '../protocol/error-uris.js';
import { WampError } from '../protocol/errors.js';
import * as MessageType from '../protocol/message-type.js';
import { withPayload } from '../protocol/messages.js';
import type { Caller } from './caller.js';
import { IsolatedSubscriber } from './isolated-subscriber.js';
import { streamFrom, type StreamInput } from './paced.js';
import { toPayload } from './payload.js';
import { STREAM_OVERFLOW } from './stream-limits.js';
import type { CallOptions, CallResult } from './types.js';

/**
 * A call whose input is a stream (progressive call invocations, digest §6.2): the first value
 * of `input` sends the CALL (with the call's options and `progress: true`), every further
 * value a CALL chunk `{progress: true}` under the same request id, and completion the last
 * chunk `{}` without payload. RESULTs flow back through the caller's pending entry as for any
 * call, while input is still going out. The call's teardown, in place before the input is
 * subscribed, stops the input first (nothing more is sent), then cancels the call if it is
 * still running. Until its first CALL the call fails with the session like any pending call.
 *
 * An async iterable (a generator, a Node stream) is pulled only while the connection holds at
 * most `streamHighWaterMark` bytes; a push Observable that gets more than `streamBufferLimit`
 * bytes waiting fails the call with `rxwamp.error.stream_overflow`.
 */
export function callStream(caller: Caller, subscriber: Subscriber<CallResult>, procedure: string, input: StreamInput, options: CallOptions): void {
  const session = caller.session;
  if (!session.routerSupports('dealer', 'progressive_call_invocations')) {
    subscriber.error(new WampError(FEATURE_NOT_SUPPORTED, { args: ['the router did not announce progressive_call_invocations'] }));
    return;
  }
  const receiveProgress = caller.receivesProgress(options);
  const wampOptions = caller.wampOptions(options, receiveProgress);
  const { streamHighWaterMark: highWaterMark, streamBufferLimit: bufferLimit } = caller.limits;
  let requestId: number | undefined;
  /** The input ended, failed or was stopped: nothing more is sent. */
  let stopped = false;
  // Until its first CALL the call has no request id, but it must still fail with the session.
  caller.starting(subscriber);

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
      caller.started(subscriber);
      caller.track(requestId, subscriber, receiveProgress);
    } else {
      // Later chunks carry only `progress`: the first CALL's options hold for the whole call (§6.2).
      session.send(withPayload([MessageType.CALL, requestId, more ? { progress: true } : {}, procedure, args, kwargs]));
    }
  };

  // The input is the application's: made before it is subscribed, so a failure in the middle
  // of a synchronous emission stops it at once (a source that checks `closed` ends there), and
  // what its teardown throws is reported instead of thrown into the session.
  const input$ = new IsolatedSubscriber<unknown>(
    {
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
    },
    (error) => session.report(error, { source: 'teardown', uri: procedure }),
  );

  const teardown = (): void => {
    stopped = true;
    caller.started(subscriber);
    input$.unsubscribe();
    if (requestId !== undefined) caller.abandon(requestId, options.cancelMode ?? 'kill');
  };
  // In place before the input runs: a failure while it is being subscribed (a synchronous
  // error, an overflow) still cancels the call it started.
  subscriber.add(teardown);
  function fail(error: unknown): void {
    stopped = true;
    subscriber.error(error); // runs the teardown: stops the input, cancels the call
  }

  streamFrom(input, () => session.whenWritable(highWaterMark)).subscribe(input$);
}
