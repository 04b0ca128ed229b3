import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray, take, Subject, takeUntil } from 'rxjs';
import { WampClient, WampError, type CallResult, type CancelMode } from '../../src/index.js';
import { createHook } from 'node:async_hooks';
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../../src/transport/websocket.js';
import { describeWire, ScriptedPeer, settle, until, type Frame } from '../helpers/scripted-peer.js';
import { serializer } from '../helpers/serializers.js';

describeWire('wire: caller', (t) => {
  it('announces exactly the implemented features in HELLO', async () => {
    await t.client.connect();
    const [, realm, details] = (await t.peer.next(1)) as [number, string, Record<string, unknown>];
    expect(realm).to.equal('realm1');
    expect(details['agent']).to.match(/^rxwamp\//);
    expect(details['roles']).to.deep.equal({
      caller: {
        features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true, call_timeout: true, caller_identification: true },
      },
      callee: {
        features: {
          progressive_call_results: true,
          progressive_call_invocations: true,
          call_canceling: true,
          caller_identification: true,
          pattern_based_registration: true,
          shared_registration: true,
        },
      },
      publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
      subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
    });
  });

  it('sends the exact CALL with receive_progress, request ids from 1', async () => {
    const results: CallResult[] = [];
    t.client
      .call$('com.myapp.longop', [3], { unit: 's' }, { timeout: 5000, discloseMe: true })
      .subscribe({ next: (r) => results.push(r), error: () => undefined });
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { receive_progress: true, timeout: 5000, disclose_me: true }, 'com.myapp.longop', [3], { unit: 's' }]);
    t.client.call$('com.myapp.noargs').subscribe({ error: () => undefined });
    expect(await t.peer.next(48)).to.deep.equal([48, 2, { receive_progress: true }, 'com.myapp.noargs']);
    t.client.call$('com.myapp.kwonly', [], { a: 1 }).subscribe({ error: () => undefined });
    expect(await t.peer.next(48)).to.deep.equal([48, 3, { receive_progress: true }, 'com.myapp.kwonly', [], { a: 1 }]);
  });

  it('emits each progressive RESULT, then the tagged final, then completes', async () => {
    const all = lastValueFrom(t.client.call$('com.myapp.longop', [3]).pipe(toArray()));
    const [, id] = await t.peer.next(48);
    t.peer.send([50, id, { progress: true }, [0]]);
    t.peer.send([50, id, { progress: true }]); // keep-alive without payload
    t.peer.send([50, id, { progress: true }, [], { part: 2 }]);
    t.peer.send([50, id, {}, [3], { done: true }]);
    expect(await all).to.deep.equal([
      { progress: true, args: [0], kwargs: {}, details: { progress: true } },
      { progress: true, args: [], kwargs: {}, details: { progress: true } },
      { progress: true, args: [], kwargs: { part: 2 }, details: { progress: true } },
      { progress: false, args: [3], kwargs: { done: true }, details: {} },
    ]);
  });

  if (t.serializer === 'json') {
    it('turns null args/kwargs from a router into [] and {}', async () => {
      const result = firstValueFrom(t.client.call$('com.myapp.x'));
      const [, id] = await t.peer.next(48);
      t.peer.sendRaw(JSON.stringify([50, id, {}, null, null]));
      expect(await result).to.deep.equal({ progress: false, args: [], kwargs: {}, details: {} });
    });
  }

  it('does not ask for progress when the router did not announce it, and ignores unasked progress', async () => {
    await t.restart({ roles: { dealer: { features: {} } } });
    const all = lastValueFrom(t.client.call$('com.myapp.x').pipe(toArray()));
    const call = await t.peer.next(48);
    expect(call[2]).to.deep.equal({});
    t.peer.send([50, call[1], { progress: true }, ['unasked']]);
    t.peer.send([50, call[1], {}, ['final']]);
    expect((await all).map((r) => r.args)).to.deep.equal([['final']]);
  });

  it('errors with a WampError carrying uri, args, kwargs and details', async () => {
    const result = firstValueFrom(t.client.call$('com.myapp.fails'));
    const [, id] = await t.peer.next(48);
    t.peer.send([8, 48, id, { x: 1 }, 'com.myapp.error.bad', ['why', 2], { code: 7 }]);
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WampError).and.instanceOf(Error);
    const wampError = error as WampError;
    expect(wampError.uri).to.equal('com.myapp.error.bad');
    expect(wampError.args).to.deep.equal(['why', 2]);
    expect(wampError.kwargs).to.deep.equal({ code: 7 });
    expect(wampError.details).to.deep.equal({ x: 1 });
    expect(wampError.message).to.equal('com.myapp.error.bad: why');
  });

  for (const mode of ['skip', 'kill', 'killnowait'] as CancelMode[]) {
    it(`sends CANCEL {mode: ${mode}} when unsubscribed before the final result`, async () => {
      const seen: CallResult[] = [];
      const subscription = t.client.call$('com.myapp.longop', [9], {}, { cancelMode: mode }).subscribe((r) => seen.push(r));
      const [, id] = await t.peer.next(48);
      t.peer.send([50, id, { progress: true }, [0]]);
      await settle();
      subscription.unsubscribe();
      expect(await t.peer.next(49)).to.deep.equal([49, id, { mode }]);
      expect(seen).to.have.length(1);
    });
  }

  it('sends CANCEL with mode kill by default, also when take() ends the stream early', async () => {
    const taken = lastValueFrom(t.client.call$('com.myapp.longop').pipe(take(2), toArray()));
    const [, id] = await t.peer.next(48);
    t.peer.send([50, id, { progress: true }, [0]]);
    t.peer.send([50, id, { progress: true }, [1]]);
    expect((await taken).map((r) => r.args[0])).to.deep.equal([0, 1]);
    expect(await t.peer.next(49)).to.deep.equal([49, id, { mode: 'kill' }]);
  });

  it('drops a RESULT or ERROR arriving after cancel quietly and keeps the session', async () => {
    const stop = new Subject<void>();
    const seen: CallResult[] = [];
    let errored = false;
    t.client
      .call$('com.myapp.longop')
      .pipe(takeUntil(stop))
      .subscribe({
        next: (r) => seen.push(r),
        error: () => {
          errored = true;
        },
      });
    const [, id] = await t.peer.next(48);
    stop.next();
    await t.peer.next(49);
    t.peer.send([50, id, { progress: true }, ['late progress']]);
    t.peer.send([50, id, {}, ['late final']]);
    t.peer.send([8, 48, id, {}, 'wamp.error.canceled']);
    await settle();
    expect(seen).to.deep.equal([]);
    expect(errored).to.equal(false);
    expect(t.peer.sent(3)).to.deep.equal([]); // no ABORT
    const again = firstValueFrom(t.client.call$('com.myapp.again'));
    const [, id2] = await t.peer.next(48);
    t.peer.send([50, id2, {}, ['ok']]);
    expect((await again).args).to.deep.equal(['ok']);
  });

  it('keeps nothing in memory for calls that ended, errored or were cancelled', async () => {
    const pendingCalls = () =>
      (t.client as unknown as { connection: { current: { caller: { pendingCount: number } } } }).connection.current.caller.pendingCount;
    const done = firstValueFrom(t.client.call$('com.myapp.a'));
    const failed = firstValueFrom(t.client.call$('com.myapp.b')).catch(() => undefined);
    const cancelled = t.client.call$('com.myapp.c').subscribe();
    const [, a] = await t.peer.next(48);
    const [, b] = await t.peer.next(48);
    await t.peer.next(48);
    expect(pendingCalls()).to.equal(3);
    t.peer.send([50, a, {}, []]);
    t.peer.send([8, 48, b, {}, 'com.myapp.error']);
    cancelled.unsubscribe();
    await done;
    await failed;
    expect(pendingCalls()).to.equal(0);
  });

  it('holds no finalizer array per pending call (its teardown sits in the subscription itself)', async () => {
    // rxjs puts a returned teardown into a 17-slot array per subscription, kept while the call
    // is pending: most of a pending call's memory before (bench/PROFILE.md §4). On an open
    // session, that is: a call made while connecting also holds what stops its waiting.
    await t.client.connect();
    const subscription = t.client.call$('com.myapp.longop').subscribe({ error: () => undefined });
    const [, id] = await t.peer.next(48);
    expect((subscription as unknown as { _finalizers: unknown })._finalizers).to.equal(null);
    subscription.unsubscribe();
    expect(await t.peer.next(49)).to.deep.equal([49, id, { mode: 'kill' }]);
  });

  it('sends one CANCEL however often the call is unsubscribed', async () => {
    const subscription = t.client.call$('com.myapp.longop').subscribe();
    const [, id] = await t.peer.next(48);
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(await t.peer.next(49)).to.deep.equal([49, id, { mode: 'kill' }]);
    const after = firstValueFrom(t.client.call$('com.myapp.after'));
    const [, next] = await t.peer.next(48);
    t.peer.send([50, next, {}, ['ok']]);
    await after;
    expect(t.peer.sent(49)).to.deep.equal([]); // a second CANCEL would have come before the CALL after it
  });

  /** Reconnects the client through a ws whose TCP socket the test can read; returns that socket. */
  async function watchedSocket(): Promise<() => { writableLength: number; writableCorked: number }> {
    let tcp: { writableLength: number; writableCorked: number } | undefined;
    class Watched extends WebSocket {
      constructor(url: string, protocols: string[], options: object) {
        super(url, protocols, options);
        this.once('open', () => {
          tcp = (this as unknown as { _socket: typeof tcp })._socket;
        });
      }
    }
    await t.client.close();
    t.client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializer(t.serializer)],
      WebSocket: Watched as unknown as WebSocketConstructor,
    });
    await t.client.connect();
    return () => tcp!;
  }

  it('writes a burst of calls in batches: all arrive in order, and little waits unsent meanwhile', async () => {
    // The socket under the client's ws, to read how much Node holds unsent after each call.
    const tcp = await watchedSocket();
    const burst = 1_000;
    let mostUnsent = 0;
    for (let i = 0; i < burst; i++) {
      t.client.call$('com.myapp.burst', [i]).subscribe({ error: () => undefined });
      mostUnsent = Math.max(mostUnsent, tcp().writableLength);
    }
    await until(() => t.peer.sent(48).length === burst);
    expect(t.peer.sent(48).map((call) => (call[4] as number[])[0])).to.deep.equal([...Array(burst).keys()]);
    // Held to the end of the loop, the burst would all wait in Node's buffer (about 40 KB);
    // written every 64 messages, at most one batch of about 2.5 KB does.
    expect(mostUnsent).to.be.within(1, 8 * 1024);
  });

  it("holds a job's calls corked until its microtasks are done, with no async resource per send", async () => {
    const tcp = await watchedSocket();
    // Node's queueMicrotask creates a 'Microtask' async resource per callback.
    let microtaskResources = 0;
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'Microtask') microtaskResources++;
      },
    }).enable();
    try {
      for (let i = 0; i < 20; i++) {
        const sent = t.peer.next(48);
        t.client.call$('com.myapp.one', [i]).subscribe({ error: () => undefined });
        await sent;
      }
      t.client.call$('com.myapp.pair', [1]).subscribe({ error: () => undefined });
      t.client.call$('com.myapp.pair', [2]).subscribe({ error: () => undefined });
      expect(tcp().writableCorked).to.equal(1);
      await until(() => t.peer.sent(48).filter((call) => call[3] === 'com.myapp.pair').length === 2);
      expect(tcp().writableCorked).to.equal(0);
    } finally {
      hook.disable();
    }
    expect(microtaskResources).to.equal(0);
  });

  it('sends no CANCEL after the call ended', async () => {
    const result = await (async () => {
      const pending = firstValueFrom(t.client.call$('com.myapp.x'));
      const [, id] = await t.peer.next(48);
      t.peer.send([50, id, {}, ['done']]);
      return pending;
    })();
    expect(result.args).to.deep.equal(['done']);
    await settle();
    expect(t.peer.sent(49)).to.deep.equal([]);
  });
});

describe('wire: caller without call_canceling at the router', () => {
  it('unsubscribes locally and sends no CANCEL', async () => {
    const peer = await ScriptedPeer.start({ serializer: 'json', roles: { dealer: { features: { progressive_call_results: true } } } });
    const client = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'] });
    const subscription = client.call$('com.myapp.longop').subscribe();
    const call: Frame = await peer.next(48);
    subscription.unsubscribe();
    peer.send([50, call[1], {}, ['late']]);
    await settle();
    expect(peer.sent(49)).to.deep.equal([]);
    expect(peer.sent(3)).to.deep.equal([]);
    await client.close();
    await peer.stop();
  });
});
