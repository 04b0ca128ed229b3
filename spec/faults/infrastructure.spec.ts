/**
 * Proves the fault-injection helpers do what they claim, with plain `ws` sockets speaking raw
 * WAMP JSON: a router child process can be killed, frozen, thawed and restarted on its port;
 * the silent server never answers an upgrade; the proxy forwards, freezes and cuts a link.
 *
 * Every wait is on an event, bounded. The only timed wait is the one that proves silence
 * ("no pong within SILENCE_MS"), which cannot be observed any other way.
 */
import { expect } from 'chai';
import WebSocket from 'ws';
import { startRouterProcess, stopAllRouterProcesses, type RouterKind, type RouterProcess } from '../helpers/router-process.js';
import { startSilentServer, startTcpProxy } from '../helpers/tcp-faults.js';

const HELLO = 1;
const WELCOME = 2;
const ERROR = 8;
const CALL = 48;
/** How long a frozen link must stay silent to count as frozen. */
const SILENCE_MS = 500;
/** The bound on anything that should happen promptly (an answer, a close). */
const PROMPTLY_MS = 5000;

/** Rejects with `what` when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` (for state that has no event) until it holds; rejects after `ms`. */
async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The next WAMP message on `socket` (JSON). */
function nextMessage(socket: WebSocket): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('socket closed before a message arrived'));
    socket.once('close', onClose);
    socket.once('message', (data) => {
      socket.off('close', onClose);
      resolve(JSON.parse(String(data)) as unknown[]);
    });
  });
}

function closed(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Resolves true when a pong answers a fresh ping within `ms`, false otherwise. */
function pongWithin(socket: WebSocket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('pong', onPong);
      resolve(false);
    }, ms);
    const onPong = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('pong', onPong);
    socket.ping();
  });
}

describe('fault-injection infrastructure', () => {
  /** Sockets, proxies and servers opened by the running test; closed after it. */
  const cleanups: Array<() => unknown> = [];

  async function joinRealm(url: string, realm: string): Promise<{ socket: WebSocket; welcome: unknown[] }> {
    const socket = new WebSocket(url, ['wamp.2.json']);
    socket.on('error', () => undefined);
    cleanups.push(() => socket.terminate());
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('close', () => reject(new Error(`WebSocket to ${url} closed before opening`)));
      }),
      PROMPTLY_MS,
      `the WebSocket to ${url} to open`,
    );
    const answer = nextMessage(socket);
    socket.send(JSON.stringify([HELLO, realm, { roles: { caller: {} } }]));
    const welcome = await within(answer, PROMPTLY_MS, 'WELCOME');
    expect(welcome[0], JSON.stringify(welcome)).to.equal(WELCOME);
    expect(welcome[1]).to.be.a('number');
    return { socket, welcome };
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await stopAllRouterProcesses();
  });

  for (const kind of ['embedded', 'fox'] as const satisfies readonly RouterKind[]) {
    describe(`a ${kind} router in a child process`, () => {
      let router: RouterProcess;

      beforeEach(async () => {
        router = await startRouterProcess({ kind });
      });

      it('listens on a free port of 127.0.0.1 and accepts a raw WAMP join', async () => {
        expect(router.port).to.be.greaterThan(0);
        expect(router.url).to.equal(`ws://127.0.0.1:${router.port}/ws`);
        expect(router.pid).to.not.equal(process.pid);
        await joinRealm(router.url, router.realm);
      });

      it('kill() ends the process and the client sees its socket close', async () => {
        const { socket } = await joinRealm(router.url, router.realm);
        await router.kill();
        expect(router.exited).to.equal(true);
        await within(closed(socket), PROMPTLY_MS, 'the client socket to close');
      });

      it('restart() after kill() listens on the same port and accepts a join again', async () => {
        const { socket } = await joinRealm(router.url, router.realm);
        await router.kill();
        await within(closed(socket), PROMPTLY_MS, 'the client socket to close');
        const restarted = await router.restart();
        expect(restarted.port).to.equal(router.port);
        expect(restarted.pid).to.not.equal(router.pid);
        await joinRealm(restarted.url, restarted.realm);
      });

      it('restart() of a running router with a live connection stops it first', async () => {
        const { socket } = await joinRealm(router.url, router.realm);
        const restarted = await router.restart();
        expect(router.exited).to.equal(true);
        await within(closed(socket), PROMPTLY_MS, 'the old connection to close');
        await joinRealm(restarted.url, restarted.realm);
      });

      it('freeze() leaves a ping unanswered; thaw() answers it', async () => {
        const { socket } = await joinRealm(router.url, router.realm);
        expect(await pongWithin(socket, PROMPTLY_MS)).to.equal(true);
        router.freeze();
        expect(router.frozen).to.equal(true);
        expect(await pongWithin(socket, SILENCE_MS)).to.equal(false);
        router.thaw();
        expect(await pongWithin(socket, PROMPTLY_MS)).to.equal(true);
        expect(socket.readyState).to.equal(WebSocket.OPEN);
      });

      it('stop() ends a frozen process and is safe to call twice', async () => {
        router.freeze();
        await within(router.stop(), PROMPTLY_MS, 'stop() of a frozen router');
        expect(router.exited).to.equal(true);
        await router.stop();
      });

      it('a proxy forwards a join; pause() freezes the link both ways and resume() restores it', async () => {
        const proxy = await startTcpProxy(router.port);
        cleanups.push(() => proxy.close());
        const { socket } = await joinRealm(proxy.url, router.realm);
        expect(proxy.connections).to.equal(1);

        proxy.pause();
        expect(await pongWithin(socket, SILENCE_MS)).to.equal(false);
        // A WAMP request sent into the frozen link gets its answer only once the link recovers.
        const answer = nextMessage(socket);
        socket.send(JSON.stringify([CALL, 1, {}, 'com.example.nobody_home', []]));
        proxy.resume();
        const error = await within(answer, PROMPTLY_MS, 'the ERROR to the CALL');
        expect(error.slice(0, 3)).to.deep.equal([ERROR, CALL, 1]);
        expect(await pongWithin(socket, PROMPTLY_MS)).to.equal(true);
        expect(socket.readyState).to.equal(WebSocket.OPEN);
      });

      it('a proxy dropAll() cuts every connection and still accepts new ones', async () => {
        const proxy = await startTcpProxy(router.port);
        cleanups.push(() => proxy.close());
        const first = await joinRealm(proxy.url, router.realm);
        const second = await joinRealm(proxy.url, router.realm);
        expect(proxy.connections).to.equal(2);
        proxy.dropAll();
        await within(Promise.all([closed(first.socket), closed(second.socket)]), PROMPTLY_MS, 'both sockets to close');
        expect(proxy.connections).to.equal(0);
        await joinRealm(proxy.url, router.realm);
      });
    });
  }

  describe('the silent server', () => {
    it('accepts the TCP connection and never answers the WebSocket upgrade', async () => {
      const server = await startSilentServer();
      cleanups.push(() => server.close());
      const socket = new WebSocket(server.url, ['wamp.2.json'], { handshakeTimeout: SILENCE_MS });
      cleanups.push(() => socket.terminate());
      let opened = false;
      socket.once('open', () => {
        opened = true;
      });
      const handshakeFailed = new Promise<Error>((resolve) => socket.once('error', resolve));
      // ws gives up on the handshake after handshakeTimeout: proof that nothing answered.
      const error = await within(handshakeFailed, PROMPTLY_MS, 'the handshake timeout');
      expect(error.message).to.match(/handshake has timed out/);
      expect(opened).to.equal(false);
      expect(server.connections).to.equal(1);
    });

    it('keeps a client CONNECTING: the TCP connection is accepted, the upgrade never answered', async () => {
      const server = await startSilentServer();
      cleanups.push(() => server.close());
      const socket = new WebSocket(server.url, ['wamp.2.json']);
      socket.on('error', () => undefined);
      cleanups.push(() => socket.terminate());
      await waitFor(() => server.connections === 1, PROMPTLY_MS, 'the server to accept the connection');
      const anyAnswer = new Promise<string>((resolve) => {
        for (const event of ['open', 'upgrade', 'unexpected-response', 'close']) socket.once(event, () => resolve(event));
      });
      const silence = new Promise<string>((resolve) => setTimeout(() => resolve('silence'), SILENCE_MS));
      expect(await Promise.race([anyAnswer, silence])).to.equal('silence');
      expect(socket.readyState).to.equal(WebSocket.CONNECTING);
    });
  });
});
