import { expect } from 'chai';
import type { SerializerName } from '../../src/codec/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { describeOnEachTransport, useRouterWithRawPeers, type TransportPeer } from '../helpers/embedded-router.js';

/** Small limits keep the frames quick to build; the default hard cap is twice the message limit. */
const MAX_MESSAGE_SIZE = 64 * 1024;
const OVERSIZE = 'x'.repeat(MAX_MESSAGE_SIZE + 1000);
const SERIALIZERS: readonly SerializerName[] = ['json', 'cbor', 'msgpack'];

function isCallError(request: number) {
  return (m: unknown[]) => m[0] === M.ERROR && m[1] === M.CALL && m[2] === request;
}

/** Answers every INVOCATION with its own arguments, until the count is reached. */
async function echo(callee: TransportPeer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    callee.send([M.YIELD, invocation[1], {}, ...invocation.slice(4)]);
  }
}

describeOnEachTransport('router: maxMessageSize fails one message, not the connection', (transport) => {
  const routerWithPeers = useRouterWithRawPeers({ maxMessageSize: MAX_MESSAGE_SIZE }, transport);

  for (const serializer of SERIALIZERS) {
    it(`${serializer}: an oversize CALL among ten fails alone with payload_size_exceeded`, async () => {
      const callee = await routerWithPeers.join({ serializer });
      await callee.register('com.example.echo');
      const caller = await routerWithPeers.join({ serializer });
      const requests = Array.from({ length: 10 }, (_, i) => caller.call('com.example.echo', [i === 4 ? OVERSIZE : i]));
      await echo(callee, 9);
      for (const [i, request] of requests.entries()) {
        const outcome = await caller.callOutcome(request);
        if (i === 4) {
          expect(outcome.slice(0, 3)).to.deep.equal([M.ERROR, M.CALL, request]);
          expect(outcome[4]).to.equal('wamp.error.payload_size_exceeded');
          expect((outcome[3] as { message: string }).message).to.contain(`over the router's limit of ${MAX_MESSAGE_SIZE}`);
        } else {
          expect(outcome).to.deep.equal([M.RESULT, request, {}, [i]]);
        }
      }
      expect(callee.pending(), 'the oversize call never reached the callee').to.deep.equal([]);
      expect(caller.isOpen && callee.isOpen).to.equal(true);
    });
  }

  it('an oversize YIELD fails its call for the caller; the callee stays and serves the next call', async () => {
    const callee = await routerWithPeers.join();
    await callee.register('com.example.big');
    const caller = await routerWithPeers.join({ serializer: 'msgpack' });
    const first = caller.call('com.example.big');
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    callee.send([M.YIELD, invocation[1], {}, [OVERSIZE]]);
    const error = await caller.callOutcome(first);
    expect(error[4]).to.equal('wamp.error.payload_size_exceeded');
    expect((error[3] as { message: string }).message).to.contain("the callee's result");

    const second = caller.call('com.example.big', ['small']);
    await echo(callee, 1);
    expect(await caller.callOutcome(second)).to.deep.equal([M.RESULT, second, {}, ['small']]);
    expect(callee.isOpen).to.equal(true);
  });

  it('an oversize progressive YIELD ends the call: caller ERROR, callee INTERRUPT killnowait', async () => {
    const callee = await routerWithPeers.join();
    await callee.register('com.example.stream');
    const caller = await routerWithPeers.join();
    const request = caller.call('com.example.stream', [], {}, { receive_progress: true });
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    callee.send([M.YIELD, invocation[1], { progress: true }, [1]]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, { progress: true }, [1]]);
    callee.send([M.YIELD, invocation[1], { progress: true }, [OVERSIZE]]);
    expect((await caller.callOutcome(request))[4]).to.equal('wamp.error.payload_size_exceeded');
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocation[1], { mode: 'killnowait', reason: 'wamp.error.payload_size_exceeded' }]);
    // Its late answer is dropped like any after killnowait.
    callee.send([M.YIELD, invocation[1], {}, ['late']]);
    const next = caller.call('com.example.stream');
    await echo(callee, 1);
    expect(await caller.callOutcome(next)).to.deep.equal([M.RESULT, next, {}]);
  });

  it('an oversize callee ERROR reaches its caller as payload_size_exceeded', async () => {
    const callee = await routerWithPeers.join();
    await callee.register('com.example.fails');
    const caller = await routerWithPeers.join();
    const request = caller.call('com.example.fails');
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    callee.send([M.ERROR, M.INVOCATION, invocation[1], {}, 'com.example.error', [OVERSIZE]]);
    const error = await caller.callOutcome(request);
    expect(error[4]).to.equal('wamp.error.payload_size_exceeded');
    expect((error[3] as { message: string }).message).to.contain("the callee's error");
    expect(callee.isOpen).to.equal(true);
  });

  it('an oversize chunk of a progressive invocation ends that call only; its later chunks are dropped quietly', async () => {
    const callee = await routerWithPeers.join();
    await callee.register('com.example.upload');
    const caller = await routerWithPeers.join();
    const request = caller.nextRequestId();
    caller.send([M.CALL, request, { progress: true }, 'com.example.upload', ['chunk 1']]);
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    caller.send([M.CALL, request, { progress: true }, 'com.example.upload', [OVERSIZE]]);
    expect((await caller.next(isCallError(request)))[4]).to.equal('wamp.error.payload_size_exceeded');
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocation[1], { mode: 'killnowait', reason: 'wamp.error.payload_size_exceeded' }]);
    caller.send([M.CALL, request, {}, 'com.example.upload', ['last chunk']]);
    // A first chunk refused for its size: the caller's following chunks are dropped quietly too.
    const refused = caller.nextRequestId();
    caller.send([M.CALL, refused, { progress: true }, 'com.example.upload', [OVERSIZE]]);
    caller.send([M.CALL, refused, {}, 'com.example.upload', ['last chunk']]);
    expect((await caller.next(isCallError(refused)))[4]).to.equal('wamp.error.payload_size_exceeded');
    const after = caller.call('com.example.upload', ['whole']);
    await echo(callee, 1);
    expect(await caller.callOutcome(after)).to.deep.equal([M.RESULT, after, {}, ['whole']]);
    expect(caller.isOpen).to.equal(true);
  });

  it('an oversize PUBLISH: ERROR with acknowledge, silence without; subscribers get only the normal events', async () => {
    const subscriber = await routerWithPeers.join();
    const subscription = await subscriber.subscribe('com.example.news');
    const publisher = await routerWithPeers.join({ serializer: 'cbor' });
    const acknowledged = publisher.nextRequestId();
    publisher.send([M.PUBLISH, acknowledged, { acknowledge: true }, 'com.example.news', [OVERSIZE]]);
    const error = await publisher.next();
    expect(error.slice(0, 3)).to.deep.equal([M.ERROR, M.PUBLISH, acknowledged]);
    expect(error[4]).to.equal('wamp.error.payload_size_exceeded');
    publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'com.example.news', [OVERSIZE]]);
    const normal = publisher.nextRequestId();
    publisher.send([M.PUBLISH, normal, { acknowledge: true }, 'com.example.news', ['small']]);
    expect((await publisher.next())[0]).to.equal(M.PUBLISHED);
    const event = await subscriber.next();
    expect([event[0], event[1], event[4]]).to.deep.equal([M.EVENT, subscription, ['small']]);
    expect(subscriber.pending()).to.deep.equal([]);
  });

  it('a garbage oversize frame closes only its connection (ABORT protocol_violation, close 1009)', async () => {
    const bystander = await routerWithPeers.join();
    await bystander.register('com.example.echo');
    const offender = await routerWithPeers.join();
    offender.sendFrame(`[48, 1, {}, "com.example.echo", ["${OVERSIZE}"`);
    const abort = await offender.next();
    expect(abort[0]).to.equal(M.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
    const closed = await offender.closed;
    expect(closed.code).to.equal(1009);
    expect(closed.reason).to.match(/message too big/);
    const caller = await routerWithPeers.join();
    const request = caller.call('com.example.echo', ['still here']);
    await echo(bystander, 1);
    expect(await caller.callOutcome(request)).to.deep.equal([M.RESULT, request, {}, ['still here']]);
  });

  it('an oversize message that carries no payload (SUBSCRIBE) closes its connection with 1009', async () => {
    const offender = await routerWithPeers.join();
    offender.send([M.SUBSCRIBE, offender.nextRequestId(), { padding: OVERSIZE }, 'com.example.topic']);
    expect((await offender.next())[2]).to.equal('wamp.error.protocol_violation');
    expect((await offender.closed).code).to.equal(1009);
  });
});

describeOnEachTransport('router: maxFrameSize, the hard cap of the transport', (transport) => {
  const routerWithPeers = useRouterWithRawPeers({ maxMessageSize: MAX_MESSAGE_SIZE }, transport);

  it('a frame over the hard cap (2 × maxMessageSize) is refused by the transport with 1009', async () => {
    const offender = await routerWithPeers.join();
    offender.send([M.CALL, offender.nextRequestId(), {}, 'com.example.echo', ['x'.repeat(2 * MAX_MESSAGE_SIZE + 1)]]);
    expect((await offender.closed).code).to.equal(1009);
    expect(routerWithPeers.fixture.router.sessionCount('realm1')).to.equal(0);
  });
});

describeOnEachTransport('router: what it sends is held to maxMessageSize too', (transport) => {
  const routerWithPeers = useRouterWithRawPeers({ maxMessageSize: MAX_MESSAGE_SIZE }, transport);
  /** Under the limit as msgpack bytes, over it as JSON's base64 (a third larger). */
  const binary = new Uint8Array(MAX_MESSAGE_SIZE - 4096);

  it('a RESULT too big for the caller is not sent: the caller gets payload_size_exceeded', async () => {
    const callee = await routerWithPeers.join({ serializer: 'msgpack' });
    await callee.register('com.example.blob');
    const caller = await routerWithPeers.join({ serializer: 'json' });
    const request = caller.call('com.example.blob');
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    callee.send([M.YIELD, invocation[1], {}, [binary]]);
    const error = await caller.callOutcome(request);
    expect(error[4]).to.equal('wamp.error.payload_size_exceeded');
    expect((error[3] as { message: string }).message).to.contain("over the router's message size limit");
    expect(caller.isOpen && callee.isOpen).to.equal(true);
  });

  it('an INVOCATION too big for the callee is not sent: the caller gets payload_size_exceeded', async () => {
    const callee = await routerWithPeers.join({ serializer: 'json' });
    await callee.register('com.example.sink');
    const caller = await routerWithPeers.join({ serializer: 'msgpack' });
    const request = caller.call('com.example.sink', [binary]);
    expect((await caller.callOutcome(request))[4]).to.equal('wamp.error.payload_size_exceeded');
    const small = caller.call('com.example.sink', ['small']);
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    expect(invocation[4]).to.deep.equal(['small']);
    callee.send([M.YIELD, invocation[1], {}]);
    expect(await caller.callOutcome(small)).to.deep.equal([M.RESULT, small, {}]);
  });

  it('an EVENT too big for one subscriber skips that subscriber only', async () => {
    const jsonSubscriber = await routerWithPeers.join({ serializer: 'json' });
    await jsonSubscriber.subscribe('com.example.blobs');
    const msgpackSubscriber = await routerWithPeers.join({ serializer: 'msgpack' });
    await msgpackSubscriber.subscribe('com.example.blobs');
    const publisher = await routerWithPeers.join({ serializer: 'msgpack' });
    const big = publisher.nextRequestId();
    publisher.send([M.PUBLISH, big, { acknowledge: true }, 'com.example.blobs', [binary]]);
    expect((await publisher.next())[0]).to.equal(M.PUBLISHED);
    publisher.send([M.PUBLISH, publisher.nextRequestId(), {}, 'com.example.blobs', ['small']]);
    expect(((await msgpackSubscriber.next())[4] as Uint8Array[])[0]).to.have.length(binary.length);
    expect((await msgpackSubscriber.next())[4]).to.deep.equal(['small']);
    expect((await jsonSubscriber.next())[4], 'the JSON subscriber got the next event only').to.deep.equal(['small']);
    expect(jsonSubscriber.isOpen).to.equal(true);
  });
});
