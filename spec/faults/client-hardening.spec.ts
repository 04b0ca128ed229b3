import { expect } from 'chai';
import { concat, config, finalize, firstValueFrom, Observable, of, Subject, throwError } from 'rxjs';
import WebSocket from 'ws';
import { ready, WampClient, WampConnectionError, WampError, type ConnectionState, type ErrorContext, type WampClientOptions } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { ScriptedPeer, until, type Frame } from '../helpers/scripted-peer.js';

/**
 * Regression tests for issue #18's findings 1–8: application code that throws or calls the
 * client back must not break the client, and the duplex edges must not leave a remote call
 * running. Each test failed on the main before the fix (the note in each says how).
 */

/**
 * A `ws` WebSocket that keeps every instance the client made: how many were made, how many are
 * not closed yet, and the most that were connecting or open at once (taken at each creation).
 */
function countingWebSocket(): {
  WebSocket: typeof WebSocket;
  created: () => number;
  live: () => number;
  maxAlive: () => number;
  last: () => WebSocket | undefined;
} {
  const sockets: WebSocket[] = [];
  let maxAlive = 0;
  const alive = () => sockets.filter((socket) => socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN).length;
  class Counting extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
      maxAlive = Math.max(maxAlive, alive());
    }
  }
  return {
    WebSocket: Counting as unknown as typeof WebSocket,
    created: () => sockets.length,
    live: () => sockets.filter((socket) => socket.readyState !== WebSocket.CLOSED).length,
    maxAlive: () => Math.max(maxAlive, alive()),
    last: () => sockets.at(-1),
  };
}

interface Reported {
  readonly error: unknown;
  readonly context: ErrorContext;
}

/** Records what the client reports through `onError`, and every uncaught exception or unhandled rejection meanwhile. */
function watchErrors(): { reported: Reported[]; uncaught: unknown[]; onError: (error: unknown, context: ErrorContext) => void; stop(): void } {
  const reported: Reported[] = [];
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('unhandledRejection', record);
  return {
    reported,
    uncaught,
    onError: (error, context) => reported.push({ error, context }),
    stop: () => process.off('unhandledRejection', record),
  };
}

const DUPLEX_ROLES = {
  dealer: { features: { progressive_call_results: true, call_canceling: true, progressive_call_invocations: true } },
  broker: { features: {} },
};

describe('faults: issue #18, application code cannot break the client', function () {
  this.timeout(20_000);
  let errors: ReturnType<typeof watchErrors>;
  const clients: WampClient[] = [];
  const stops: Array<() => Promise<void>> = [];
  function client(options: WampClientOptions): WampClient {
    const made = new WampClient({ onError: errors.onError, ...options });
    clients.push(made);
    return made;
  }
  beforeEach(() => {
    errors = watchErrors();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const stop of stops.splice(0)) await stop();
    errors.stop();
    expect(errors.uncaught).to.deep.equal([]);
  });

  it('1: a handler teardown that throws when the connection is lost is reported; the client reconnects and restores', async () => {
    // Before: the UnsubscriptionError escaped Session.end's listener loop (an uncaught exception),
    // state$ stayed open and nothing reconnected.
    const peer = await ScriptedPeer.start({
      serializer: 'json',
      respond: (f) => (f[0] === 64 ? [[65, f[1], 7]] : f[0] === 48 ? [[50, f[1], {}, ['pong']]] : undefined),
    });
    stops.push(() => peer.stop());
    const c = client({ url: peer.url, realm: 'realm1', reconnect: { initialDelay: 10, jitter: 0 } });
    const states: ConnectionState[] = [];
    c.state$.subscribe((state) => states.push(state));
    let started = false;
    c.registerStream(
      'com.teardown',
      () =>
        new Observable(() => {
          started = true;
          return () => {
            throw new Error('teardown boom');
          };
        }),
    ).subscribe();
    await peer.next(64);
    peer.send([68, 1, 7, {}, []]);
    await until(() => started);
    peer.dropConnection();
    await until(() => states.filter((s) => s.status === 'open').length === 2, 5_000, 'a second open');
    expect(states.map((s) => s.status)).to.deep.equal(['idle', 'connecting', 'open', 'closed', 'reconnecting', 'connecting', 'open']);
    await peer.next(64); // the registration was restored
    expect((await firstValueFrom(c.call$('com.ping'))).args).to.deep.equal(['pong']);
    expect(errors.reported.map((r) => [(r.error as Error).message, r.context.source, r.context.uri])).to.deep.equal([
      ['teardown boom', 'teardown', 'com.teardown'],
    ]);
  });

  describe('on the embedded router', () => {
    let router: EmbeddedRouter;
    beforeEach(async () => {
      router = await startEmbeddedRouter();
      stops.push(() => router.stop());
    });

    it('2: a handler teardown that throws on INTERRUPT is reported; the session and the other invocations go on', async () => {
      // Before: the throw reached Session.receive, which sent ABORT protocol_violation: every other invocation died.
      const callee = client({ url: router.url, realm: 'realm1' });
      const caller = client({ url: router.url, realm: 'realm1' });
      const release = new Subject<string>();
      let interrupted = false;
      let started = 0;
      await ready(
        callee.registerStream(
          'com.bad',
          () =>
            new Observable(() => {
              started++;
              return () => {
                interrupted = true;
                throw new Error('interrupt teardown boom');
              };
            }),
        ),
      );
      await ready(
        callee.register('com.good', () => {
          started++;
          return firstValueFrom(release);
        }),
      );
      const sessionId = callee.session!.id;
      const good = firstValueFrom(caller.call$('com.good'));
      const bad = caller.call$('com.bad').subscribe();
      await until(() => started === 2, 5_000, 'both invocations at the callee');
      bad.unsubscribe(); // CANCEL kill → INTERRUPT
      await until(() => interrupted);
      release.next('still here');
      expect((await good).args).to.deep.equal(['still here']);
      expect(callee.state.status).to.equal('open');
      expect(callee.session!.id).to.equal(sessionId);
      expect(errors.reported.map((r) => [(r.error as Error).message, r.context.source, r.context.uri])).to.deep.equal([
        ['interrupt teardown boom', 'teardown', 'com.bad'],
      ]);
    });

    it('3: an onSubscribed that throws errors its own topic$; the session stays up and nothing loops', async () => {
      // Before: the throw was blamed on the router (ABORT), the client reconnected, restored, threw again: 29 sessions in 1.5 s.
      const c = client({ url: router.url, realm: 'realm1', reconnect: { initialDelay: 10, jitter: 0 } });
      const publisher = client({ url: router.url, realm: 'realm1' });
      const statuses: string[] = [];
      c.state$.subscribe((state) => statuses.push(state.status));
      const failed = firstValueFrom(
        c.topic$('com.topic', {
          onSubscribed: () => {
            throw new Error('onSubscribed boom');
          },
        }),
      ).catch((error: unknown) => error as Error);
      expect(((await failed) as Error).message).to.equal('onSubscribed boom');
      // Another subscription on the same client works, and the failed one left nothing on the router.
      const events: unknown[] = [];
      await new Promise<void>((resolve) => {
        c.topic$('com.topic', { onSubscribed: () => resolve() }).subscribe((event) => events.push(event.args[0]));
      });
      await publisher.publish('com.topic', ['one'], undefined, { acknowledge: true });
      await until(() => events.length === 1);
      expect(statuses).to.deep.equal(['idle', 'connecting', 'open']);
    });

    it('5: registering in reaction to open sends one REGISTER; the registration can be removed', async () => {
      // Before: open was emitted before the desired set was re-attached, so the REGISTER went out twice (procedure_already_exists).
      const c = client({ url: router.url, realm: 'realm1' });
      const other = client({ url: router.url, realm: 'realm1' });
      const outcomes: string[] = [];
      let held: { unsubscribe(): void } | undefined;
      c.state$.subscribe((state) => {
        if (state.status !== 'open' || held) return;
        held = c
          .register('com.on_open', () => 'answered')
          .subscribe({
            next: () => outcomes.push('registered'),
            error: (error: unknown) => outcomes.push(`error ${(error as WampError).uri}`),
          });
      });
      await c.connect();
      await until(() => outcomes.length > 0);
      expect((await firstValueFrom(other.call$('com.on_open'))).args).to.deep.equal(['answered']);
      held!.unsubscribe();
      const gone = await firstValueFrom(other.call$('com.on_open')).catch((error: unknown) => error as WampError);
      expect((gone as WampError).uri).to.equal('wamp.error.no_such_procedure');
      expect(outcomes).to.deep.equal(['registered']);
    });

    it('7: a callStream$ whose input errors synchronously while connecting cancels the remote call', async () => {
      // Before: the teardown was not yet in place when the input failed, so no CANCEL went out and the callee ran on.
      const callee = client({ url: router.url, realm: 'realm1' });
      let inputEnded: string | undefined;
      await ready(
        callee.registerDuplex(
          'com.duplex',
          (input$) =>
            new Observable((subscriber) => {
              input$.subscribe({
                error: (error: unknown) => {
                  inputEnded = (error as WampError).uri;
                },
                complete: () => {
                  inputEnded = 'complete';
                },
              });
              return () => subscriber.complete();
            }),
        ),
      );
      const caller = client({ url: router.url, realm: 'realm1' });
      const failed = firstValueFrom(
        caller.callStream$(
          'com.duplex',
          concat(
            of(1),
            throwError(() => new Error('input broke')),
          ),
        ),
      ).catch((error: unknown) => error as Error);
      expect(((await failed) as Error).message).to.equal('input broke');
      await until(() => inputEnded !== undefined, 5_000, 'the callee to be interrupted');
      expect(inputEnded).to.equal('wamp.error.canceled');
    });

    it('8: stream_overflow on a call that opened the session cancels it and stops a synchronous input', async () => {
      // Before: no CANCEL (the callee's input$ stayed open) and the input's subscriber stayed open, so a source checking `closed` ran on.
      const callee = client({ url: router.url, realm: 'realm1' });
      let inputEnded: string | undefined;
      await ready(
        callee.registerDuplex(
          'com.sink',
          (input$) =>
            new Observable((subscriber) => {
              input$.subscribe({
                error: (error: unknown) => {
                  inputEnded = (error as WampError).uri;
                },
              });
              return () => subscriber.complete();
            }),
        ),
      );
      const caller = client({ url: router.url, realm: 'realm1', streamBufferLimit: 64 * 1024 });
      let produced = 0;
      const chunk = 'x'.repeat(1024);
      const endless = new Observable<string>((subscriber) => {
        // Bounded so the old behaviour fails the test instead of hanging the run.
        while (!subscriber.closed && produced < 100_000) {
          produced++;
          subscriber.next(chunk);
        }
      });
      const failed = await firstValueFrom(caller.callStream$('com.sink', endless)).catch((error: unknown) => error as WampError);
      expect((failed as WampError).uri).to.equal('rxwamp.error.stream_overflow');
      expect(produced).to.be.below(1_000);
      await until(() => inputEnded !== undefined, 5_000, 'the callee to be interrupted');
      expect(inputEnded).to.equal('wamp.error.canceled');
    });
  });

  it('4: calling the client from state$ listeners never opens a second socket, and close() leaves none', async () => {
    // Before: a publish from the `closed` listener connected while the reconnect timer was also set: 3 sockets, 2 left open.
    const peer = await ScriptedPeer.start({ serializer: 'json' });
    stops.push(() => peer.stop());
    const sockets = countingWebSocket();
    const c = client({ url: peer.url, realm: 'realm1', reconnect: { initialDelay: 10, jitter: 0 }, WebSocket: sockets.WebSocket });
    const opens: number[] = [];
    c.state$.subscribe((state) => {
      if (state.status === 'open') opens.push(state.session.id);
      // Re-entrant calls at every status but the last (an operation after close() connects again, by design).
      if (state.status === 'closed' && !state.willRetry) return;
      void c.publish('com.from_listener', [state.status]).catch(() => undefined);
      c.call$('com.from_listener').subscribe({ error: () => undefined });
    });
    await c.connect();
    peer.dropConnection();
    await until(() => opens.length === 2, 5_000, 'a second open');
    await c.close();
    await until(() => sockets.live() === 0, 5_000, 'every socket to close');
    expect(sockets.maxAlive()).to.equal(1);
    expect(sockets.created()).to.equal(2);
  });

  it('6: unsubscribing a call$ while the socket is closing does not throw', async () => {
    // Before: the CANCEL's send threw WampConnectionError out of unsubscribe() (an UnsubscriptionError).
    const peer = await ScriptedPeer.start({ serializer: 'json' });
    stops.push(() => peer.stop());
    const sockets = countingWebSocket();
    const c = client({ url: peer.url, realm: 'realm1', reconnect: false, WebSocket: sockets.WebSocket });
    const subscription = c.call$('com.slow').subscribe({ error: () => undefined });
    await peer.next(48);
    peer.pauseReading(); // our close frame's answer is never read: the client's socket stays CLOSING
    peer.closeConnection(1001);
    await until(() => sockets.last()?.readyState === WebSocket.CLOSING, 5_000, 'the socket to be closing');
    expect(() => subscription.unsubscribe()).not.to.throw();
    // A new call in this window fails at once with a connection error, it does not wait.
    const late = await firstValueFrom(c.call$('com.late')).catch((error: unknown) => error);
    expect(late).to.be.instanceOf(WampConnectionError);
    peer.resumeReading();
  });

  describe('more hostile application code', () => {
    let router: EmbeddedRouter;
    beforeEach(async () => {
      router = await startEmbeddedRouter();
      stops.push(() => router.stop());
    });

    it('a call$ whose operator chain throws in its teardown at the final result: reported, the session goes on', async () => {
      // Before: the UnsubscriptionError came back out of complete() into dispatch, which blamed the router (ABORT).
      const c = client({ url: router.url, realm: 'realm1' });
      await ready(c.register('com.echo', (args) => args[0]));
      const sessionId = (await c.connect()).id;
      const results: unknown[] = [];
      c.call$('com.echo', ['one'])
        .pipe(
          finalize(() => {
            throw new Error('finalize boom');
          }),
        )
        .subscribe((result) => results.push(result.args[0]));
      await until(() => errors.reported.length === 1);
      expect(results).to.deep.equal(['one']);
      expect((await firstValueFrom(c.call$('com.echo', ['two']))).args).to.deep.equal(['two']);
      expect([c.state.status, c.session?.id]).to.deep.equal(['open', sessionId]);
      expect((errors.reported[0]!.error as Error).message).to.equal('finalize boom');
    });

    it('a state$ listener that throws is reported as rxjs reports it; the other listeners and the transition go on', async () => {
      const unhandled: unknown[] = [];
      const previous = config.onUnhandledError;
      config.onUnhandledError = (error) => unhandled.push(error);
      try {
        const c = client({ url: router.url, realm: 'realm1' });
        const heard: string[] = [];
        c.state$.subscribe(() => {
          throw new Error('listener boom');
        });
        c.state$.subscribe((state) => heard.push(state.status));
        await c.connect();
        await c.close();
        expect(heard).to.deep.equal(['idle', 'connecting', 'open', 'closed']);
        // rxjs reports a subscriber's throw on a later turn.
        await until(() => unhandled.filter((error) => (error as Error).message === 'listener boom').length === 4);
      } finally {
        config.onUnhandledError = previous;
      }
    });

    it('a debug listener that closes the client on HELLO and calls it again: one socket at a time, nothing waits forever', async () => {
      const sockets = countingWebSocket();
      let closes = 0;
      const c = client({
        url: router.url,
        realm: 'realm1',
        WebSocket: sockets.WebSocket,
        debug: (direction, message) => {
          if (direction !== 'out' || message[0] !== 1 || closes++ > 0) return;
          void c.close(); // from inside the attempt's own send
          c.call$('com.nobody').subscribe({ error: () => undefined });
        },
      });
      const first = await c.connect().catch((error: unknown) => error as WampConnectionError);
      expect((first as WampConnectionError).code).to.equal('closed');
      await until(() => c.state.status === 'open', 5_000, 'the call$ from the listener to connect again');
      expect(sockets.maxAlive()).to.equal(1);
      await c.close();
      await until(() => sockets.live() === 0, 5_000, 'every socket to close');
    });
  });

  it('8: a callStream$ still waiting for its first input value fails when the connection drops, and sends nothing later', async () => {
    // Before: it was not failed; its first later value went to the dead session.
    const peer = await ScriptedPeer.start({
      serializer: 'json',
      roles: DUPLEX_ROLES,
      respond: (f) => (f[0] === 48 && f[3] === 'com.marker' ? [[50, f[1], {}]] : undefined),
    });
    stops.push(() => peer.stop());
    const c = client({ url: peer.url, realm: 'realm1', reconnect: { initialDelay: 10, jitter: 0 } });
    const input = new Subject<number>();
    const outcome = firstValueFrom(c.callStream$('com.duplex', input)).catch((error: unknown) => error as Error);
    await c.connect();
    const opened: number[] = [];
    c.state$.subscribe((state) => {
      if (state.status === 'open') opened.push(1);
    });
    peer.dropConnection();
    const error = await outcome;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('lost');
    await until(() => opened.length === 2, 5_000, 'the reconnect');
    input.next(1);
    input.complete();
    await firstValueFrom(c.call$('com.marker')); // answered: every frame sent before it has arrived
    const calls: Frame[] = peer.sent(48);
    expect(calls.map((frame) => frame[3])).to.deep.equal(['com.marker']);
    expect(input.observed).to.equal(false);
  });
});
