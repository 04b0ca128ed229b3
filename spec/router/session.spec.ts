import { expect } from 'chai';
import WebSocket from 'ws';
import { MessageType } from '../../src/protocol/index.js';
import { DEALER_FEATURES, BROKER_FEATURES } from '../../src/router/index.js';
import { describeOnEachTransport, useRouterWithRawPeers } from '../helpers/embedded-router.js';

describeOnEachTransport('router: sessions', (transport) => {
  const router = useRouterWithRawPeers({ realms: ['realm1', 'com.example.app'] }, transport);
  const join = (realm = 'realm1', serializer: 'json' | 'cbor' | 'msgpack' = 'json') => router.join({ realm, serializer });
  const open = (serializer: 'json' | 'cbor' | 'msgpack' = 'json') => router.open(serializer);

  it('welcomes with a random session id and announces exactly the implemented features', async () => {
    const peer = await open();
    const welcome = await peer.hello('realm1');
    expect(welcome[0]).to.equal(MessageType.WELCOME);
    expect(welcome[1])
      .to.be.a('number')
      .within(1, 2 ** 53);
    const details = welcome[2] as { roles: Record<string, { features: Record<string, boolean> }>; authmethod: string; authrole: string; realm: string };
    expect(details.roles['dealer']!.features).to.deep.equal(DEALER_FEATURES);
    expect(details.roles['broker']!.features).to.deep.equal(BROKER_FEATURES);
    expect(details.authmethod).to.equal('anonymous');
    expect(details.realm).to.equal('realm1');
  });

  it('accepts any valid realm URI and aborts unknown realms with no_such_realm', async () => {
    expect((await (await open()).hello('com.example.app'))[0]).to.equal(MessageType.WELCOME);
    const stranger = await open();
    const abort = await stranger.hello('com.example.other');
    expect(abort[0]).to.equal(MessageType.ABORT);
    expect(abort[2]).to.equal('wamp.error.no_such_realm');
    await stranger.closed;
    const invalid = await open();
    expect((await invalid.hello('bad realm'))[2]).to.equal('wamp.error.invalid_uri');
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`speaks ${serializer} when the client offers only wamp.2.${serializer}`, async () => {
      const peer = await open(serializer);
      expect(peer.protocol).to.equal(`wamp.2.${serializer}`);
      expect((await peer.hello('realm1'))[0]).to.equal(MessageType.WELCOME);
    });
  }

  it('picks the first offered subprotocol it supports', async () => {
    const { url, WebSocket: Socket = WebSocket } = router.fixture.clientOptions();
    const socket = new Socket(url, ['wamp.2.ubjson', 'wamp.2.msgpack', 'wamp.2.json']);
    await new Promise((resolve) => (socket.onopen = resolve));
    expect(socket.protocol).to.equal('wamp.2.msgpack');
    socket.close();
  });

  it('aborts with protocol_violation when the first message is not HELLO', async () => {
    const peer = await open();
    peer.send([MessageType.CALL, 1, {}, 'com.example.proc']);
    const abort = await peer.next();
    expect(abort[0]).to.equal(MessageType.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
    await peer.closed;
  });

  it('aborts a HELLO without roles', async () => {
    const peer = await open();
    peer.send([MessageType.HELLO, 'realm1', {}]);
    expect((await peer.next())[2]).to.equal('wamp.error.protocol_violation');
  });

  it('aborts a second HELLO and releases what the session held', async () => {
    const peer = await join();
    const other = await join();
    await peer.register('com.example.held');
    peer.send([MessageType.HELLO, 'realm1', { roles: { caller: {} } }]);
    expect((await peer.next())[2]).to.equal('wamp.error.protocol_violation');
    await peer.closed;
    const request = other.call('com.example.held');
    expect((await other.callOutcome(request))[4]).to.equal('wamp.error.no_such_procedure');
  });

  it('aborts undecodable frames', async () => {
    const peer = await join('realm1', 'cbor');
    peer.sendFrame(new Uint8Array([0xff, 0x00, 0x13]));
    const abort = await peer.next();
    expect(abort[0]).to.equal(MessageType.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
  });

  it('requires new request ids to follow 1, 2, 3, … and aborts a gap', async () => {
    const peer = await join();
    peer.send([MessageType.SUBSCRIBE, 1, {}, 'com.example.a']);
    expect((await peer.next())[0]).to.equal(MessageType.SUBSCRIBED);
    peer.send([MessageType.REGISTER, 2, {}, 'com.example.b']);
    expect((await peer.next())[0]).to.equal(MessageType.REGISTERED);
    peer.send([MessageType.SUBSCRIBE, 4, {}, 'com.example.c']);
    const abort = await peer.next();
    expect(abort[0]).to.equal(MessageType.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
  });

  it('aborts a reused request id for a non-progressive request', async () => {
    const peer = await join();
    peer.send([MessageType.SUBSCRIBE, 1, {}, 'com.example.a']);
    await peer.next();
    peer.send([MessageType.SUBSCRIBE, 1, {}, 'com.example.b']);
    expect((await peer.next())[2]).to.equal('wamp.error.protocol_violation');
  });

  it('answers GOODBYE and lets the same transport join again with a fresh HELLO', async () => {
    const peer = await join();
    const first = peer.sessionId;
    peer.send([MessageType.GOODBYE, {}, 'wamp.close.close_realm']);
    const goodbye = await peer.next();
    expect(goodbye).to.deep.equal([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    const welcome = await peer.hello('realm1');
    expect(welcome[0]).to.equal(MessageType.WELCOME);
    expect(peer.sessionId).to.not.equal(first);
    // Request ids start again at 1 in the new session.
    peer.send([MessageType.SUBSCRIBE, 1, {}, 'com.example.a']);
    expect((await peer.next())[0]).to.equal(MessageType.SUBSCRIBED);
  });

  it('says GOODBYE system_shutdown to every session on close()', async () => {
    const peer = await join();
    const stopping = router.fixture.router.close();
    const goodbye = await peer.next();
    expect(goodbye[0]).to.equal(MessageType.GOODBYE);
    expect(goodbye[2]).to.equal('wamp.close.system_shutdown');
    peer.send([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await stopping;
    await peer.closed;
  });

  it('counts sessions per realm and forgets them when they leave', async () => {
    const a = await join();
    await join('com.example.app');
    expect(router.fixture.router.sessionCount('realm1')).to.equal(1);
    expect(router.fixture.router.sessionCount('com.example.app')).to.equal(1);
    await a.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(router.fixture.router.sessionCount('realm1')).to.equal(0);
  });
});
