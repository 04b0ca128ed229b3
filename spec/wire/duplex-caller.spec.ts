import { expect } from 'chai';
import { concat, defer, finalize, lastValueFrom, NEVER, Observable, of, Subject, toArray } from 'rxjs';
import { payload, WampClient, WampError, type CallResult } from '../../src/index.js';
import { bufferedAmountOf, CHUNK, CHUNKS, HIGH_WATER_MARK, pacedClient } from '../helpers/paced-client.js';
import { DEFAULT_ROUTER_ROLES, describeWire, ScriptedPeer, settle, until, type Frame } from '../helpers/scripted-peer.js';

const DUPLEX_ROUTER_ROLES = {
  ...DEFAULT_ROUTER_ROLES,
  dealer: { features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true } },
};

/** The caller's side of progressive call invocations (digest §6.2): exact CALL chunks on the wire. */
describeWire('wire: duplex caller (callStream$)', (t) => {
  beforeEach(() => t.restart({ roles: DUPLEX_ROUTER_ROLES }));

  const pendingCalls = () => (t.client as unknown as { connection: { current: { caller: { pendingCount: number } } } }).connection.current.caller.pendingCount;

  it('sends every chunk as a CALL under one request id: options on the first only, progress on all but the empty last', async () => {
    const input = new Subject<unknown>();
    const results: CallResult[] = [];
    t.client.callStream$('com.myapp.upload', input, { timeout: 5000, discloseMe: true }).subscribe((r) => results.push(r));
    await t.client.connect();
    input.next('chunk-0');
    expect(await t.peer.next(48)).to.deep.equal([
      48,
      1,
      { receive_progress: true, timeout: 5000, disclose_me: true, progress: true },
      'com.myapp.upload',
      ['chunk-0'],
    ]);
    input.next(payload([], { part: 1 })); // kwargs only: args stay as [] (§1.3)
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { progress: true }, 'com.myapp.upload', [], { part: 1 }]);
    input.next(undefined); // an empty chunk: no payload slots at all
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { progress: true }, 'com.myapp.upload']);
    input.next(payload(['a', 'b']));
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { progress: true }, 'com.myapp.upload', ['a', 'b']]);
    t.peer.send([50, 1, { progress: true }, [4]]); // results flow back while input is still going out
    await until(() => results.length === 1);
    input.complete();
    expect(await t.peer.next(48)).to.deep.equal([48, 1, {}, 'com.myapp.upload']);
    t.peer.send([50, 1, {}, ['stored']]);
    await until(() => results.length === 2);
    expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
      [true, [4]],
      [false, ['stored']],
    ]);
    expect(pendingCalls()).to.equal(0);
  });

  it("takes the next request id for the next new request, so the router's watermark stays in sequence", async () => {
    const input = new Subject<unknown>();
    t.client.callStream$('com.myapp.upload', input).subscribe({ error: () => undefined });
    await t.client.connect();
    input.next(1);
    expect((await t.peer.next(48))[1]).to.equal(1);
    t.client.call$('com.myapp.other').subscribe({ error: () => undefined });
    expect(await t.peer.next((f) => f[0] === 48 && f[3] === 'com.myapp.other')).to.deep.equal([48, 2, { receive_progress: true }, 'com.myapp.other']);
    input.next(2);
    input.complete();
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { progress: true }, 'com.myapp.upload', [2]]);
    expect(await t.peer.next(48)).to.deep.equal([48, 1, {}, 'com.myapp.upload']);
    t.client.call$('com.myapp.third').subscribe({ error: () => undefined });
    expect((await t.peer.next(48))[1]).to.equal(3);
  });

  it('an input that completes at once is one plain CALL', async () => {
    const result = lastValueFrom(t.client.callStream$('com.myapp.upload', of('only')).pipe(toArray()));
    expect(await t.peer.next(48)).to.deep.equal([48, 1, { receive_progress: true, progress: true }, 'com.myapp.upload', ['only']]);
    expect(await t.peer.next(48)).to.deep.equal([48, 1, {}, 'com.myapp.upload']);
    t.peer.send([50, 1, {}, ['ok']]);
    expect((await result).map((r) => r.args)).to.deep.equal([['ok']]);
    const empty = lastValueFrom(t.client.callStream$('com.myapp.upload', of()).pipe(toArray()));
    expect(await t.peer.next(48)).to.deep.equal([48, 2, { receive_progress: true }, 'com.myapp.upload']);
    t.peer.send([50, 2, {}]);
    expect((await empty).map((r) => r.progress)).to.deep.equal([false]);
  });

  it('errors with feature_not_supported and sends nothing when the router did not announce progressive_call_invocations', async () => {
    await t.restart(); // the default scripted dealer: progressive results and canceling only
    let subscribed = false;
    const input = defer(() => {
      subscribed = true;
      return of(1, 2, 3);
    });
    const error = await lastValueFrom(t.client.callStream$('com.myapp.upload', input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(WampError);
    expect((error as WampError).uri).to.equal('wamp.error.feature_not_supported');
    expect(subscribed).to.equal(false);
    await settle();
    expect(t.peer.sent(48)).to.deep.equal([]);
    expect(t.peer.received.map((f) => f[0])).to.deep.equal([1]); // HELLO only
  });

  it('unsubscribing mid-stream unsubscribes the input and sends CANCEL; no chunk follows', async () => {
    let inputTornDown = false;
    const input = new Subject<unknown>();
    const subscription = t.client
      .callStream$(
        'com.myapp.upload',
        input.pipe(
          finalize(() => {
            inputTornDown = true;
          }),
        ),
        { cancelMode: 'killnowait' },
      )
      .subscribe({ error: () => undefined });
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    subscription.unsubscribe();
    expect(inputTornDown).to.equal(true);
    expect(input.observed).to.equal(false);
    expect(await t.peer.next(49)).to.deep.equal([49, 1, { mode: 'killnowait' }]);
    input.next('b');
    input.complete();
    t.peer.send([8, 48, 1, {}, 'wamp.error.canceled']);
    await settle();
    expect(t.peer.sent(48)).to.deep.equal([]);
    expect(pendingCalls()).to.equal(0);
  });

  it('an input error cancels the call and errors the stream with it', async () => {
    const input = new Subject<unknown>();
    const outcome = lastValueFrom(t.client.callStream$('com.myapp.upload', input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    input.error(new Error('disk read failed'));
    expect(((await outcome) as Error).message).to.equal('disk read failed');
    expect(await t.peer.next(49)).to.deep.equal([49, 1, { mode: 'kill' }]);
    expect(pendingCalls()).to.equal(0);
  });

  it('when the callee answers before the input ends, the input is unsubscribed and nothing more is sent', async () => {
    let inputTornDown = false;
    const input = new Subject<unknown>();
    const results = lastValueFrom(
      t.client
        .callStream$(
          'com.myapp.upload',
          input.pipe(
            finalize(() => {
              inputTornDown = true;
            }),
          ),
        )
        .pipe(toArray()),
    );
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    t.peer.send([50, 1, {}, ['enough']]);
    expect((await results).map((r) => r.args)).to.deep.equal([['enough']]);
    expect(inputTornDown).to.equal(true);
    input.next('b');
    await settle();
    expect(t.peer.sent(48)).to.deep.equal([]);
    expect(t.peer.sent(49)).to.deep.equal([]); // the call ended: no CANCEL
  });

  it('a router ERROR for the call ends it and unsubscribes the input', async () => {
    const input = new Subject<unknown>();
    const outcome = lastValueFrom(t.client.callStream$('com.myapp.upload', input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    t.peer.send([8, 48, 1, {}, 'wamp.error.feature_not_supported', ['the callee does not support progressive call invocations']]);
    expect(((await outcome) as WampError).uri).to.equal('wamp.error.feature_not_supported');
    expect(input.observed).to.equal(false);
  });

  it('a chunk that cannot be serialized fails the call and cancels it; the session stays', async () => {
    const input = new Subject<unknown>();
    const outcome = lastValueFrom(t.client.callStream$('com.myapp.upload', input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    input.next(() => 'a function');
    expect(await outcome).to.be.instanceOf(TypeError);
    expect(await t.peer.next(49)).to.deep.equal([49, 1, { mode: 'kill' }]);
    const again = lastValueFrom(t.client.call$('com.myapp.again'));
    const call: Frame = await t.peer.next(48);
    t.peer.send([50, call[1], {}, ['ok']]);
    expect((await again).args).to.deep.equal(['ok']);
  });

  it('connection loss fails the call and unsubscribes the input', async () => {
    const input = new Subject<unknown>();
    const outcome = lastValueFrom(t.client.callStream$('com.myapp.upload', concat(input, NEVER))).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t.client.connect();
    input.next('a');
    await t.peer.next(48);
    t.peer.dropConnection();
    expect(await outcome).to.have.property('code', 'lost');
    expect(input.observed).to.equal(false);
  });

  it('rejects an input that is not subscribable before connecting', async () => {
    const error = await lastValueFrom(t.client.callStream$('com.myapp.upload', 42 as unknown as Observable<unknown>)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TypeError);
    const bad = await lastValueFrom(t.client.callStream$('com..bad', of(1))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bad).to.be.instanceOf(TypeError);
    expect(t.peer.received).to.deep.equal([]);
  });
});

describe('wire: duplex caller input paced by the connection', function () {
  this.timeout(60_000);
  let peer: ScriptedPeer;
  let client: WampClient;

  beforeEach(async () => {
    peer = await ScriptedPeer.start({ serializer: 'json', roles: DUPLEX_ROUTER_ROLES });
    client = pacedClient(peer);
  });
  afterEach(async () => {
    peer.resumeReading();
    await client.close();
    await peer.stop();
  });

  const buffered = () => bufferedAmountOf(client);

  it('an async generator input is not pulled past the high-water mark while the router does not read; released, every chunk arrives in order', async () => {
    let pulled = 0;
    const bufferedAtPull: number[] = [];
    async function* chunks() {
      for (let i = 0; i < CHUNKS; i++) {
        bufferedAtPull.push(buffered());
        pulled++;
        yield { i, chunk: CHUNK };
      }
    }
    await client.connect();
    peer.pauseReading();
    const results: CallResult[] = [];
    client.callStream$('com.pace.upload', chunks()).subscribe((r) => results.push(r));
    await until(() => pulled > 0 && buffered() > HIGH_WATER_MARK, 20_000, 'the input waiting on a full connection');
    const pulledWhileStalled = pulled;
    expect(pulledWhileStalled).to.be.below(CHUNKS);
    expect(Math.max(...bufferedAtPull), 'bytes waiting when a chunk was pulled').to.be.at.most(HIGH_WATER_MARK);
    peer.resumeReading();
    await until(() => peer.received.some((f) => f[0] === 48 && !(f[2] as { progress?: boolean }).progress), 30_000, 'the last CALL chunk');
    const calls = peer.received.filter((f) => f[0] === 48);
    expect(calls).to.have.length(CHUNKS + 1);
    expect(calls.slice(0, CHUNKS).map((f) => (f[4] as Array<{ i: number }>)[0]!.i)).to.deep.equal(Array.from({ length: CHUNKS }, (_, i) => i));
    expect(calls.every((f) => f[1] === 1)).to.equal(true);
    expect(calls.at(-1)).to.deep.equal([48, 1, {}, 'com.pace.upload']);
    expect(Math.max(...bufferedAtPull)).to.be.at.most(HIGH_WATER_MARK);
    peer.send([50, 1, {}, ['stored']]);
    await until(() => results.length === 1);
  });

  it('a push Observable input that outruns the connection fails the call with stream_overflow and cancels it', async () => {
    await client.connect();
    peer.pauseReading();
    const input = new Observable<string>((subscriber) => {
      for (let i = 0; i < CHUNKS && !subscriber.closed; i++) subscriber.next(CHUNK);
    });
    const outcome = await lastValueFrom(client.callStream$('com.pace.push', input)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(outcome).to.be.instanceOf(WampError);
    expect((outcome as WampError).uri).to.equal('rxwamp.error.stream_overflow');
    peer.resumeReading();
    expect(await peer.next(49)).to.deep.equal([49, 1, { mode: 'kill' }]);
  });
});
