import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { MessageType as M } from '../../src/protocol/index.js';
import { Router } from '../../src/router/index.js';
import { describeOnEachTransport, startEmbeddedRouter, startRouter, useRouterWithRawPeers, type RouterFixture } from '../helpers/embedded-router.js';
import { FULL_ROLES, RawPeer } from '../helpers/raw-peer.js';

/** Node's own HTTP timeouts would close a silent connection only after 60–90 s; this is well short of that. */
const CLOSE_EXPECTED_WITHIN_MS = 5000;

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves once the socket is closed by the other side; rejects if that does not happen well before Node's own timeouts. */
function closedByPeer(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error(`the router kept the connection open for ${CLOSE_EXPECTED_WITHIN_MS} ms`)), CLOSE_EXPECTED_WITHIN_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
  });
}

describeOnEachTransport('router: CALL timeout limits', (transport) => {
  const routerWithPeers = useRouterWithRawPeers({}, transport);

  for (const timeout of [2 ** 31, 2 ** 53, -1, 1.5, '100', true]) {
    it(`answers CALL timeout ${JSON.stringify(timeout)} with wamp.error.invalid_argument; the session goes on`, async () => {
      const callee = await routerWithPeers.join();
      await callee.register('com.example.slow');
      const caller = await routerWithPeers.join();
      const refused = caller.call('com.example.slow', [], {}, { timeout });
      const error = await caller.callOutcome(refused);
      expect(error.slice(0, 3)).to.deep.equal([M.ERROR, M.CALL, refused]);
      expect(error[4]).to.equal('wamp.error.invalid_argument');
      expect((error[3] as { message: string }).message).to.contain('timeout');
      expect(callee.pending(), 'the callee was not invoked').to.deep.equal([]);
      const accepted = caller.call('com.example.slow', [1]);
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      callee.send([M.YIELD, invocation[1], {}, [2]]);
      expect(await caller.callOutcome(accepted)).to.deep.equal([M.RESULT, accepted, {}, [2]]);
    });
  }

  it('honours the largest timeout setTimeout can keep (2^31 − 1 ms) instead of expiring the call at once', async () => {
    const callee = await routerWithPeers.join();
    await callee.register('com.example.slow');
    const caller = await routerWithPeers.join();
    const request = caller.call('com.example.slow', [], {}, { timeout: 2 ** 31 - 1 });
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    // Node clamps an over-long delay to 1 ms: give such a timer time to fire before answering.
    await new Promise((resolve) => setTimeout(resolve, 30));
    callee.send([M.YIELD, invocation[1], {}, ['done']]);
    expect(await caller.callOutcome(request)).to.deep.equal([M.RESULT, request, {}, ['done']]);
  });
});

describeOnEachTransport('router: close() with calls in flight', (transport) => {
  let fixture: RouterFixture;
  beforeEach(async () => {
    fixture = await startRouter(transport, { closeGraceMs: 2000 });
  });
  afterEach(() => fixture.stop());

  for (const answering of ['callee first', 'caller first'] as const) {
    it(`callers of pending calls get GOODBYE system_shutdown and no "callee left" ERROR (${answering} answers GOODBYE)`, async () => {
      // The callee joins first: the router meets it first when it shuts sessions down.
      const callee = await fixture.joinPeer('realm1');
      await callee.register('com.example.pending');
      const caller = await fixture.joinPeer('realm1');
      const requests = [caller.call('com.example.pending'), caller.call('com.example.pending')];
      await callee.next((m) => m[0] === M.INVOCATION);
      await callee.next((m) => m[0] === M.INVOCATION);

      const stopping = fixture.router.close();
      const [first, second] = answering === 'callee first' ? [callee, caller] : [caller, callee];
      expect(await first.next()).to.deep.equal([M.GOODBYE, { message: 'the router is shutting down' }, 'wamp.close.system_shutdown']);
      first.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      await first.closed;
      expect((await second.next())[2]).to.equal('wamp.close.system_shutdown');
      second.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      await stopping;
      await second.closed;

      // After its GOODBYE a session hears nothing more: no ERROR for the calls, no INTERRUPT.
      expect(
        caller.received.filter((m) => m[0] === M.ERROR),
        `errors for calls ${requests.join(', ')}`,
      ).to.deep.equal([]);
      expect(caller.received.at(-1)![0]).to.equal(M.GOODBYE);
      expect(callee.received.filter((m) => m[0] === M.INTERRUPT)).to.deep.equal([]);
      expect(callee.received.at(-1)![0]).to.equal(M.GOODBYE);
    });
  }
});

describe('router: connections that never become WebSockets', () => {
  it('listen(): destroys a silent TCP connection and a half-sent upgrade after handshakeTimeoutMs; upgraded sockets stay', async () => {
    const fixture = await startEmbeddedRouter({ handshakeTimeoutMs: 200 });
    try {
      const port = Number(new URL(fixture.url).port);
      // Joined before the stalled connections: its own deadline would have run out first.
      const joined = await RawPeer.join(fixture.url, 'realm1');
      const silent = await openTcp(port);
      const halfSent = await openTcp(port);
      halfSent.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
      await Promise.all([closedByPeer(silent), closedByPeer(halfSent)]);
      expect(joined.isOpen).to.equal(true);
      await joined.subscribe('com.example.still.here');
      await joined.close();
    } finally {
      await fixture.stop();
    }
  });

  it("attach(): times only upgrades on its path and never the user's other connections", async () => {
    const server: Server = createServer((_request, response) => response.end('app'));
    const router = new Router({ realms: ['realm1'], handshakeTimeoutMs: 200 });
    router.attach(server, { path: '/wamp' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const idle = await openTcp(port);
      let idleClosed = false;
      idle.once('close', () => {
        idleClosed = true;
      });
      // A WebSocket on our path that never says HELLO is aborted after handshakeTimeoutMs,
      // which is longer than the idle connection has been open for the router's deadline.
      const silentWamp = await RawPeer.open(`ws://127.0.0.1:${port}/wamp`);
      expect((await silentWamp.next())[2]).to.equal('wamp.error.protocol_violation');
      await silentWamp.closed;
      expect(idleClosed, "the user's idle connection was left alone").to.equal(false);
      // And the user's server still answers on it.
      idle.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const response = await new Promise<string>((resolve) => idle.once('data', (data) => resolve(data.toString())));
      expect(response).to.match(/^HTTP\/1\.1 200/);
      idle.destroy();
    } finally {
      await router.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describeOnEachTransport('router: HELLO limits', (transport) => {
  const routerWithPeers = useRouterWithRawPeers({}, transport);

  it('aborts a HELLO over 64 KiB before reading it (500,000 feature keys), and closes with 1009', async () => {
    const features = Object.fromEntries(Array.from({ length: 500_000 }, (_, i) => [`feature_${i}`, true]));
    const peer = await routerWithPeers.open();
    const abort = await peer.hello('realm1', { roles: { caller: { features } } });
    expect(abort[0]).to.equal(M.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
    expect((abort[1] as { message: string }).message).to.match(/before WELCOME may be at most 65536 bytes/);
    expect((await peer.closed).code).to.equal(1009);
    // The router was not held up: a normal join goes through.
    const other = await routerWithPeers.join();
    expect(other.sessionId).to.be.greaterThan(0);
  });

  it('aborts a small HELLO that announces more than 256 features for a role', async () => {
    const features = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`f${i}`, true]));
    const peer = await routerWithPeers.open('msgpack');
    const abort = await peer.hello('realm1', { roles: { ...FULL_ROLES, callee: { features } } });
    expect(abort[0]).to.equal(M.ABORT);
    expect(abort[2]).to.equal('wamp.error.protocol_violation');
    expect((abort[1] as { message: string }).message).to.contain('roles.callee.features has 257 keys');
  });

  it('welcomes a HELLO with a few KiB of authextra', async () => {
    const peer = await routerWithPeers.open('cbor');
    const welcome = await peer.hello('realm1', { details: { authextra: { blob: 'x'.repeat(20_000) } } });
    expect(welcome[0]).to.equal(M.WELCOME);
  });
});
